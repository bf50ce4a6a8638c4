using Singularity;
using Singularity.Text;

// The shell: reads commands from the serial line (it owns the serial input) and prints through
// the console service. Commands: ps, start <sip> [args], kill <id>, mem, echo <text>, help.
public static class Program
{
    public static int Main()
    {
        Console.WriteLine("shell: type 'help' for commands");
        while (true)
        {
            Console.Write("sh> ");
            string line = Console.ReadLine();
            if (line == null) { Debug.WriteLine("shell: the serial input belongs to another SIP"); return 1; }
            Execute(Words.Trim(line));
        }
    }

    private static void Execute(string line)
    {
        if (line.Length == 0) return;
        string cmd = Words.First(line, out string rest);
        switch (cmd)
        {
            case "help": Console.WriteLine("commands: ps, start <sip> [args], kill <id>, mem, echo <text>, help"); break;
            case "echo": Console.WriteLine(rest); break;
            case "ps": Ps(); break;
            case "mem": Mem(); break;
            case "start": Start(rest); break;
            case "kill": Kill(rest); break;
            default: Console.WriteLine("shell: unknown command '" + cmd + "' (try help)"); break;
        }
    }

    private static void Ps()
    {
        Console.WriteLine("  ID NAME             STATE    THREADS  HEAP KiB  EXCHANGE B");
        SipDescription[] sips = SystemInfo.Sips();
        for (int i = 0; i < sips.Length; i++)
        {
            SipDescription s = sips[i];
            string state = s.State == SipOutcome.Running ? "running" : s.State == SipOutcome.Exited ? "exited" : "failed";
            Console.WriteLine("  " + Words.PadRight(s.Id.ToString(), 3) + Words.PadRight(s.Name, 17) + Words.PadRight(state, 9) + Words.PadRight(s.Threads.ToString(), 9)
                              + Words.PadRight((s.HeapBytes / 1024).ToString(), 10) + s.ExchangeBytes.ToString());
        }
    }

    private static void Mem()
    {
        MemoryDescription m = SystemInfo.Memory();
        Console.WriteLine("mem: usable " + (m.UsableBytes / 1024).ToString() + " KiB, free " + (m.FreeBytes / 1024).ToString()
                          + " KiB, kernel heap " + (m.KernelHeapBytes / 1024).ToString() + " KiB, SIPs " + (m.SipBytes / 1024).ToString()
                          + " KiB in " + m.LiveSips.ToString() + " live SIPs, exchange heap " + m.ExchangeBytes.ToString()
                          + " bytes in " + m.ExchangeBlocks.ToString() + " blocks");
    }

    private static void Start(string rest)
    {
        if (rest.Length == 0) { Console.WriteLine("usage: start <sip> [args]"); return; }
        int space = rest.IndexOf(' ');
        string module = space < 0 ? rest : rest.Substring(0, space);
        string args = space < 0 ? "" : rest.Substring(space + 1);
        if (Processes.TryStart(module, args, out int id, out string error)) Console.WriteLine("started " + module + "#" + id.ToString());
        else Console.WriteLine("start: " + error);
    }

    private static void Kill(string rest)
    {
        if (!Numbers.TryParseNatural(rest, out int id)) { Console.WriteLine("usage: kill <id>"); return; }
        Console.WriteLine(Processes.Kill(id) ? "killed " + id.ToString() : "kill: no running SIP " + id.ToString());
    }
}
