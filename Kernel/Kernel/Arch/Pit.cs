namespace Singularity.Kernel.Arch
{
    /// <summary>The 8253/8254 programmable interval timer, channel 0, as the periodic tick.</summary>
    internal static class Pit
    {
        public const uint InputHz = 1193182;

        /// <summary>Programs a periodic interrupt; returns the actual period in nanoseconds.</summary>
        public static ulong Start(uint hz)
        {
            uint divisor = InputHz / hz;
            Cpu.OutB(0x43, 0x34);                   // channel 0, lobyte/hibyte, mode 2 (rate generator)
            Cpu.OutB(0x40, (byte)divisor);
            Cpu.OutB(0x40, (byte)(divisor >> 8));
            return (ulong)divisor * 1000000000UL / InputHz;
        }
    }
}
