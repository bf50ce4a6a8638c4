using Singularity.Kernel.Memory;

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

        /// <summary>Its ready threads at each priority level.</summary>
        public readonly ReadyQueue[] Queues;

        /// <summary>Its ready threads, all levels (0: none of its threads waits for the CPU).</summary>
        public int Queued;

        public CpuShare(CpuGrant grant)
        {
            Grant = grant;
            Queues = new ReadyQueue[Scheduler.Levels];
            for (int i = 0; i < Queues.Length; i++) Queues[i] = new ReadyQueue(this);
        }

        /// <summary>Frees its queues and itself with the SIP's record (interrupts off; none of its threads is queued).</summary>
        public void FreeRecord()
        {
            for (int i = 0; i < Queues.Length; i++) Allocator.Free(Queues[i]);
            Allocator.Free(Queues);
            Allocator.Free(this);
        }

        /// <summary>Virtual time, in the units of <see cref="VirtualTime"/>, of <paramref name="cycles"/> run at the default share.</summary>
        public static ulong DefaultVirtual(ulong cycles) => cycles * (CpuGrant.MaxShare / CpuGrant.DefaultShare);

        /// <summary>Charges <paramref name="cycles"/> its threads ran (interrupts off).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Charge(ulong cycles)
        {
            CpuCycles += cycles;
            // No overflow below 2^54 cycles in one charge (months; the scheduler charges at every
            // tick). Virtual times advance at most 1000 units a cycle, so the signed comparisons
            // hold while two shares are less than 2^63 apart: a month at 3 GHz for share 1.
            VirtualTime += cycles * CpuGrant.MaxShare / (ulong)Grant.Share;
        }
    }
}
