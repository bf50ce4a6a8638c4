namespace Singularity.Kernel.Threading
{
    /// <summary>
    /// The processor time of one SIP (or of the kernel's own threads): what it was granted, what
    /// its threads used, in TSC cycles charged at every switch and tick, and its place in the
    /// scheduler, which is fair between shares, not between threads (docs/scheduling.md). All
    /// scheduler fields are guarded, like the scheduler, by disabling interrupts.
    /// </summary>
    internal sealed class CpuShare
    {
        public readonly CpuGrant Grant;

        /// <summary>TSC cycles its threads ran, all of them, dead ones included.</summary>
        public ulong CpuCycles;

        /// <summary>
        /// Its virtual time: the cycles its threads ran scaled by MaxShare / its share, so a share
        /// twice as large advances half as fast. Within a priority level the scheduler runs the
        /// share with the least; compared by signed difference, so wrapping is harmless.
        /// </summary>
        public ulong VirtualTime;

        /// <summary>Its ready threads at each priority level, first to run first (round-robin within the share).</summary>
        public readonly Thread[] ReadyHead = new Thread[Scheduler.Levels];
        public readonly Thread[] ReadyTail = new Thread[Scheduler.Levels];

        /// <summary>The next share with ready threads at each level (the scheduler's per-level lists).</summary>
        public readonly CpuShare[] NextActive = new CpuShare[Scheduler.Levels];

        /// <summary>Its ready threads, all levels (0: none of its threads waits for the CPU).</summary>
        public int Queued;

        public CpuShare(CpuGrant grant)
        {
            Grant = grant;
        }

        /// <summary>Charges <paramref name="cycles"/> its threads ran (interrupts off).</summary>
        public void Charge(ulong cycles)
        {
            CpuCycles += cycles;
            // cycles * MaxShare / Share without overflow for any cycle count.
            ulong share = (ulong)Grant.Share;
            VirtualTime += cycles / share * CpuGrant.MaxShare + cycles % share * CpuGrant.MaxShare / share;
        }
    }
}
