using Singularity;

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
            Execute(Trim(line));
        }
    }

    private static void Execute(string line)
    {
        if (line.Length == 0) return;
        int space = line.IndexOf(' ');
        string cmd = space < 0 ? line : line.Substring(0, space);
        string rest = space < 0 ? "" : Trim(line.Substring(space + 1));
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
            Console.WriteLine("  " + Pad(s.Id.ToString(), 3) + Pad(s.Name, 17) + Pad(state, 9) + Pad(s.Threads.ToString(), 9)
                              + Pad((s.HeapBytes / 1024).ToString(), 10) + s.ExchangeBytes.ToString());
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
        int id = 0;
        bool ok = rest.Length > 0;
        for (int i = 0; i < rest.Length && ok; i++)
        {
            if (rest[i] < '0' || rest[i] > '9') ok = false;
            else id = id * 10 + (rest[i] - '0');
        }
        if (!ok) { Console.WriteLine("usage: kill <id>"); return; }
        Console.WriteLine(Processes.Kill(id) ? "killed " + id.ToString() : "kill: no running SIP " + id.ToString());
    }

    private static string Pad(string s, int width)
    {
        while (s.Length < width) s = s + " ";
        return s;
    }

    private static string Trim(string s)
    {
        int a = 0, b = s.Length;
        while (a < b && s[a] == ' ') a++;
        while (b > a && s[b - 1] == ' ') b--;
        return s.Substring(a, b - a);
    }
}
