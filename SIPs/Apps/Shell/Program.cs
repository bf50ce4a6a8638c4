using Singularity;
using Singularity.Contracts;
using Singularity.Text;

// The shell: reads commands from the serial line (it owns the serial input) and prints through
// the console service (Libraries/Console). Commands: ps, start <sip> [args], kill <id>, mem, devices, echo <text>, help.
public static class Program
{
    public static int Main()
    {
        var console = new Console();
        // A shell started beside the console service (as the system manifest starts them) waits
        // up to 2 s for it, so its banner and first prompt reach the screen, not the kernel log.
        ConsoleContract.Bind(Console.ServiceName, out ConsoleContract.Imp probe, 2000);
        if (probe != null) probe.Close();
        console.WriteLine("shell: type 'help' for commands");
        while (true)
        {
            console.Write("sh> ");
            string line = console.ReadLine();
            if (line == null) { Debug.WriteLine("shell: the serial input belongs to another SIP"); return 1; }
            Execute(console, Words.Trim(line));
        }
    }

    private static void Execute(Console console, string line)
    {
        if (line.Length == 0) return;
        string cmd = Words.First(line, out string rest);
        switch (cmd)
        {
            case "help": console.WriteLine("commands: ps, start <sip> [args], kill <id>, mem, devices, echo <text>, help"); break;
            case "echo": console.WriteLine(rest); break;
            case "ps": Ps(console); break;
            case "mem": Mem(console); break;
            case "devices": DevicesList(console); break;
            case "start": Start(console, rest); break;
            case "kill": Kill(console, rest); break;
            default: console.WriteLine("shell: unknown command '" + cmd + "' (try help)"); break;
        }
    }

    private static void Ps(Console console)
    {
        console.WriteLine("  ID NAME             STATE    THREADS  HEAP KiB  EXCHANGE B");
        SipDescription[] sips = SystemInfo.Sips();
        for (int i = 0; i < sips.Length; i++)
        {
            SipDescription s = sips[i];
            string state = s.State == SipOutcome.Running ? "running" : s.State == SipOutcome.Exited ? "exited" : "failed";
            console.WriteLine("  " + Words.PadRight(s.Id.ToString(), 3) + Words.PadRight(s.Name, 17) + Words.PadRight(state, 9) + Words.PadRight(s.Threads.ToString(), 9)
                              + Words.PadRight((s.HeapBytes / 1024).ToString(), 10) + s.ExchangeBytes.ToString());
        }
    }

    private static void Mem(Console console)
    {
        MemoryDescription m = SystemInfo.Memory();
        console.WriteLine("mem: usable " + (m.UsableBytes / 1024).ToString() + " KiB, free " + (m.FreeBytes / 1024).ToString()
                          + " KiB, kernel heap " + (m.KernelHeapBytes / 1024).ToString() + " KiB, SIPs " + (m.SipBytes / 1024).ToString()
                          + " KiB in " + m.LiveSips.ToString() + " live SIPs, exchange heap " + m.ExchangeBytes.ToString()
                          + " bytes in " + m.ExchangeBlocks.ToString() + " blocks");
    }

    // The PCI functions the kernel found, as the debug console's `devices` prints them.
    private static void DevicesList(Console console)
    {
        DeviceDescription[] devices = Devices.List();
        for (int i = 0; i < devices.Length; i++)
        {
            DeviceDescription d = devices[i];
            string line = "devices: " + Hex(d.Bus, 2) + ":" + Hex(d.Device, 2) + "." + Hex(d.Function, 1) + " " + Hex(d.VendorId, 4) + ":" + Hex(d.DeviceId, 4)
                          + " class " + Hex(d.Class, 2) + "/" + Hex(d.Subclass, 2) + "/" + Hex(d.ProgIf, 2);
            if (d.InterruptPin != 0) line = line + " irq " + d.InterruptLine.ToString();
            console.WriteLine(line);
            for (int b = 0; b < d.Bars.Length; b++)
            {
                BarDescription bar = d.Bars[b];
                string kind = bar.Kind == BarKind.Io ? " io " : bar.Kind == BarKind.Memory32 ? " mem32 " : " mem64 ";
                console.WriteLine("devices:   bar" + bar.Index.ToString() + kind + (bar.Prefetchable ? "prefetchable " : "") + "0x" + Hex((long)bar.Base, 16) + " size " + bar.Size.ToString());
            }
        }
        console.WriteLine("devices: listed " + devices.Length.ToString() + " functions");
    }

    private static string Hex(long value, int digits)
    {
        string text = "";
        for (int i = 0; i < digits; i++)
        {
            int x = (int)(value & 0xF);
            text = (x < 10 ? "0123456789"[x] : "abcdef"[x - 10]).ToString() + text;
            value >>= 4;
        }
        return text;
    }

    private static void Start(Console console, string rest)
    {
        if (rest.Length == 0) { console.WriteLine("usage: start <sip> [args]"); return; }
        int space = rest.IndexOf(' ');
        string module = space < 0 ? rest : rest.Substring(0, space);
        string args = space < 0 ? "" : rest.Substring(space + 1);
        if (Processes.TryStart(module, args, out int id, out string error)) console.WriteLine("started " + module + "#" + id.ToString());
        else console.WriteLine("start: " + error);
    }

    private static void Kill(Console console, string rest)
    {
        if (!Numbers.TryParseNatural(rest, out int id)) { console.WriteLine("usage: kill <id>"); return; }
        console.WriteLine(Processes.Kill(id) ? "killed " + id.ToString() : "kill: no running SIP " + id.ToString());
    }
}
