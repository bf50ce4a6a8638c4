using Singularity;
using Singularity.Drivers;

// A second legacy driver asking for the port PortDriver holds (0x80): the kernel must refuse its
// start while PortDriver runs, and grant it once PortDriver is gone.
[assembly: Device("isa/test-rival")]
[assembly: IoPorts(0x80, 1)]

public static class Program
{
    public static int Main()
    {
        IoPortRange ports = IoPortRange.Granted(0);
        Debug.WriteLine(ports == null ? "portrival: WRONG started without its port" : "portrival: holding ports " + ports.Base.ToString() + "+" + ports.Length.ToString());
        while (true) Singularity.Threading.Thread.Sleep(1000);
    }
}
