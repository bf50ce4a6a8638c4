
namespace Singularity.Kernel.Arch
{
    /// <summary>Leaving the kernel: QEMU's isa-debug-exit device, else halt.</summary>
    internal static class Platform
    {
        // QEMU exits with (code << 1) | 1, so none of these can be confused with the 0 of a triple fault.
        public const byte ExitSuccess = 0x10;       // QEMU status 33
        public const byte ExitPanic = 0x11;         // QEMU status 35
        public const byte ExitTestFailed = 0x12;    // QEMU status 37

        public static void Exit(byte code)
        {
            Cpu.OutB(0xF4, code);
            // Not under QEMU with isa-debug-exit (a real PC): stop here.
            const string Halted = "system halted\r\n";     // straight to the UART: Arch sits below the log
            for (int i = 0; i < Halted.Length; i++) Serial16550.Write((byte)Halted[i]);
            Cpu.HaltForever();
        }
    }
}
