
namespace Singularity.Kernel.Arch
{
    /// <summary>
    /// The monotonic clock: timer ticks for coarse time, refined with the TSC between ticks once
    /// its rate has been measured against the timer.
    /// </summary>
    internal static class Clock
    {
        public const uint TickHz = 1000;
        private static ulong s_tickNs;
        private static ulong s_ticks;
        private static ulong s_tscHz;

        public static ulong Ticks => s_ticks;
        public static ulong TscHz => s_tscHz;

        public static void Start()
        {
            s_tickNs = Pit.Start(TickHz);
            Pic.Unmask(0);
        }

        /// <summary>Called from the timer interrupt.</summary>
        public static void Tick() => s_ticks++;

        /// <summary>Nanoseconds since the timer started; never goes backwards.</summary>
        public static ulong MonotonicNs => s_ticks * s_tickNs;

        public static ulong MonotonicMs => MonotonicNs / 1000000;

        /// <summary>Measures the TSC rate over a number of timer ticks. Needs interrupts on.</summary>
        public static void CalibrateTsc(uint ticks)
        {
            ulong start = s_ticks;
            while (s_ticks == start) Cpu.WaitForInterrupt();
            ulong t0 = Cpu.ReadTsc();
            ulong from = s_ticks;
            while (s_ticks < from + ticks) Cpu.WaitForInterrupt();
            ulong t1 = Cpu.ReadTsc();
            s_tscHz = (t1 - t0) * 1000000000UL / (ticks * s_tickNs);
            if (s_tscHz == 0) s_tscHz = 1;
        }

        /// <summary>Time since the machine was reset (the TSC starts at zero), in milliseconds.</summary>
        public static ulong SinceResetMs => s_tscHz == 0 ? 0 : Cpu.ReadTsc() / (s_tscHz / 1000);

        /// <summary>Sleeps with the CPU halted until <paramref name="ms"/> milliseconds have passed.</summary>
        public static void SleepMs(ulong ms)
        {
            ulong until = MonotonicNs + ms * 1000000;
            while (MonotonicNs < until) Cpu.WaitForInterrupt();
        }
    }
}
