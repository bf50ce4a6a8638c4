using Singularity;

// A display driver whose manifest asks for more than device memory: the VGA text buffer and a
// page of RAM at 1 MiB (where the kernel lives). The I/O manager must refuse to start it, with
// the reason, and nothing else changes (Tests/Kernel.Tests/DisplayTests.cs).
[assembly: Device("isa/vga-text")]
[assembly: IoMemory(0xB8000, 4000)]
[assembly: IoMemory(0x100000, 4096)]

public static class Program
{
    public static int Main()
    {
        Debug.WriteLine("vgatextgreedy: WRONG started with RAM in its grant");
        return 1;
    }
}
