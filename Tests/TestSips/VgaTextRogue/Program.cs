using Singularity;
using Singularity.Drivers;

// A display driver gone wrong, for the driver tests (Tests/Kernel.Tests/DisplayTests.cs): it
// holds what the VGA text driver holds (the 4000-byte text buffer at 0xB8000, CRT controller
// ports 0x3D4/0x3D5), writes a cell of its own, then writes past the buffer's end: `past` the
// cell just after it (offset 4000), `far` a word 2 GiB on. The kernel must fail it alone.
[assembly: Device("isa/vga-text")]
[assembly: IoMemory(0xB8000, 4000)]
[assembly: IoPorts(0x3D4, 2)]

public static class Program
{
    public static int Main()
    {
        string mode = Sip.Arguments;
        IoMemoryRange text = IoMemoryRange.Granted(0);
        if (text == null || text.Length != 4000) { Debug.WriteLine("vgatextrogue: WRONG the text buffer was not granted"); return 1; }
        text.Write16(0, 0x0721);
        Debug.WriteLine("vgatextrogue: wrote a cell of its own");
        if (mode == "past") text.Write16(4000, 0x4F21);
        else if (mode == "far") text.Write64(0x7FFFFFF8, 0);
        else { Debug.WriteLine("vgatextrogue: usage: past|far"); return 2; }
        Debug.WriteLine("vgatextrogue: WRONG wrote past the text buffer");
        return 1;
    }
}
