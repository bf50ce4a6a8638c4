using Singularity;

// A driver is a SIP like any other (docs/sips.md): its manifest declares the device it drives and
// the I/O resources it needs, and the kernel grants exactly those. Declare them here, e.g.
//   [assembly: Device(0x8086, 0x100e)]   [assembly: IoPorts(0xc000, 0x40)]   [assembly: Irq(11)]
[assembly: SipManifest("__SIPNAME__", HeapQuotaMiB = 2)]

public static class __NAME__Program
{
    public static int Main()
    {
        Debug.WriteLine("__SIPNAME__: driver started (arguments: '" + Sip.Arguments + "')");
        return 0;
    }
}
