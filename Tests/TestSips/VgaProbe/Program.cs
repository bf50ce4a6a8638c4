using Singularity;
using Singularity.Drivers;

// A PCI driver SIP for QEMU's standard VGA device (1234:1111), for the driver tests
// (Tests/Kernel.Tests/HostileDriverTests.cs). It gets the device's two memory BARs: the 16 MiB
// framebuffer (range 0) and the 4 KiB register BAR (range 1), whose Bochs display interface ID
// register at 0x500 reads 0xB0C0-0xB0C5. Modes: `id` reads it and exits; `hold` reads it and
// idles; `outside` reads it, then the dword just past the register BAR; `unaligned` a dword at
// 0x501; `ports` asks for a port range, which the device does not have.
[assembly: Device(0x1234, 0x1111)]

public static class Program
{
    public static int Main()
    {
        string mode = Sip.Arguments;
        IoMemoryRange regs = IoMemoryRange.Granted(1);
        if (regs == null || IoMemoryRange.Granted(0) == null) { Debug.WriteLine("vgaprobe: WRONG its BARs were not granted"); return 1; }
        int id = regs.Read16(0x500);
        Debug.WriteLine("vgaprobe: dispi id " + id.ToString() + " in " + regs.Length.ToString() + " bytes");
        if (mode == "outside") { regs.Read32((long)regs.Length); Debug.WriteLine("vgaprobe: WRONG read past its BAR"); return 1; }
        if (mode == "negative") { regs.Read8(-1); Debug.WriteLine("vgaprobe: WRONG read before its BAR"); return 1; }
        if (mode == "unaligned") { regs.Read32(0x501); Debug.WriteLine("vgaprobe: WRONG an unaligned read"); return 1; }
        if (mode == "ports")
        {
            Debug.WriteLine(IoPortRange.Granted(0) != null ? "vgaprobe: WRONG a port range was granted" : "vgaprobe: no port range, as the device has none");
            return 0;
        }
        if (mode == "hold") { Debug.WriteLine("vgaprobe: holding"); while (true) Singularity.Threading.Thread.Sleep(1000); }
        return 0;
    }
}
