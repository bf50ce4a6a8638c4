using Singularity;
using Singularity.Drivers;

// A serial driver gone wrong, for the driver tests (Tests/Kernel.Tests/SerialTests.cs): it holds
// what the 16550 driver holds (COM2's eight ports 0x2F8-0x2FF, IRQ 3), writes its own scratch
// register, then reaches outside the grant: `past` the port just after it (0x300), `wide` a
// 16-bit read of the last port (offset 7, two bytes), `com1` COM1's data port, the kernel's log,
// as an offset from its range (0x3F8 - 0x2F8). The kernel must fail it alone.
[assembly: Device("isa/16550")]
[assembly: IoPorts(0x2F8, 8)]
[assembly: Irq(3)]

public static class Program
{
    public static int Main()
    {
        string mode = Sip.Arguments;
        IoPortRange ports = IoPortRange.Granted(0);
        if (ports == null || ports.Length != 8) { Debug.WriteLine("serialrogue: WRONG the UART's ports were not granted"); return 1; }
        ports.Write8(7, 0x5A);
        Debug.WriteLine("serialrogue: wrote its own scratch register");
        if (mode == "past") ports.Write8(8, 0x21);
        else if (mode == "wide") ports.Read16(7);
        else if (mode == "com1") ports.Write8(0x3F8 - 0x2F8, 0x21);
        else { Debug.WriteLine("serialrogue: usage: past|wide|com1"); return 2; }
        Debug.WriteLine("serialrogue: WRONG reached outside its grant");
        return 1;
    }
}
