using Singularity;
using Singularity.Drivers;

// A legacy driver SIP holding one I/O port (0x80, the POST diagnostic port QEMU ignores) for the
// driver tests (Tests/Kernel.Tests/HostileDriverTests.cs). No argument: it holds the port and
// idles. `outside`: reads its port (allowed), then the port after it, outside its grant: the
// kernel must fail this SIP alone. `width`: a 64-bit port read, which no port has. `irq`: asks
// for an interrupt line its manifest does not name (none is handed out).
[assembly: Device("isa/test-port")]
[assembly: IoPorts(0x80, 1)]

public static class Program
{
    public static int Main()
    {
        string mode = Sip.Arguments;
        IoPortRange ports = IoPortRange.Granted(0);
        if (ports == null) { Debug.WriteLine("portdriver: WRONG no port range granted"); return 1; }
        Debug.WriteLine("portdriver: holding ports " + ports.Base.ToString() + "+" + ports.Length.ToString());
        if (IoPortRange.Granted(1) != null) Debug.WriteLine("portdriver: WRONG a second range was granted");
        ports.Write8(0, 0x42);
        byte inside = ports.Read8(0);
        Debug.WriteLine("portdriver: read its own port (" + inside.ToString() + ")");
        if (mode == "outside")
        {
            ports.Read8(1);
            Debug.WriteLine("portdriver: WRONG read a port outside its grant");
            return 1;
        }
        if (mode == "irq")
        {
            // Its manifest names no [Irq]: the driver library hands out no interrupt line.
            if (InterruptLine.Granted(0) != null || InterruptLine.Granted(-1) != null) { Debug.WriteLine("portdriver: WRONG an interrupt line was granted"); return 1; }
            Debug.WriteLine("portdriver: no interrupt line granted");
            return 0;
        }
        if (mode == "outside-far")
        {
            ports.Write32(0x7FFFFFFF, 0);
            Debug.WriteLine("portdriver: WRONG wrote far outside its grant");
            return 1;
        }
        while (true) Singularity.Threading.Thread.Sleep(1000);
    }
}
