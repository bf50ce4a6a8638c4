
namespace Singularity.Kernel.Arch
{
    /// <summary>The kernel's own 16550 UART driver (COM1), used for the log and the debug console.</summary>
    internal static class Serial16550
    {
        private const ushort Com1 = 0x3F8;
        private const ushort Data = 0, InterruptEnable = 1, FifoControl = 2, LineControl = 3,
                             ModemControl = 4, LineStatus = 5;
        private static bool s_present;

        public static void Initialize()
        {
            Cpu.OutB(Com1 + InterruptEnable, 0x00);
            Cpu.OutB(Com1 + LineControl, 0x80);     // DLAB on: next two writes set the divisor
            Cpu.OutB(Com1 + Data, 0x01);            // 115200 baud
            Cpu.OutB(Com1 + InterruptEnable, 0x00);
            Cpu.OutB(Com1 + LineControl, 0x03);     // 8 bits, no parity, one stop bit
            Cpu.OutB(Com1 + FifoControl, 0xC7);     // FIFOs on, cleared, 14-byte threshold
            Cpu.OutB(Com1 + ModemControl, 0x0B);    // DTR, RTS, OUT2
            // A UART that reads back 0xFF from its line status register is absent; don't wait on it.
            s_present = Cpu.InB(Com1 + LineStatus) != 0xFF;
        }

        public static void Write(byte b)
        {
            if (!s_present) return;
            int spins = 100000;
            while ((Cpu.InB(Com1 + LineStatus) & 0x20) == 0 && --spins > 0) Cpu.Pause();
            Cpu.OutB(Com1 + Data, b);
        }

        public static bool TryRead(out byte b)
        {
            if (s_present && (Cpu.InB(Com1 + LineStatus) & 0x01) != 0)
            {
                b = Cpu.InB(Com1 + Data);
                return true;
            }
            b = 0;
            return false;
        }
    }
}
