namespace Singularity.Kernel.Threading
{
    /// <summary>
    /// Which SIP threads may be stopped inside an exchange-block access (docs/channels.md
    /// "Exchange heap", quarantine). An access is a key check, then a load or store (or one copy)
    /// with no kernel call in between, so a thread that entered the kernel by itself (an ABI call:
    /// a block, a yield, an exit) is inside no access; only the timer stops a thread anywhere. A
    /// thread the timer switches out is marked (Thread.Preempted, counted per owner) and the mark
    /// goes at its next voluntary switch, at a send or free it makes (the exchange heap clears the
    /// caller's own mark), or when it dies. A mark is conservative: a thread the timer stopped inside
    /// the kernel, or one that ran on since, carries it too. Interrupts off throughout.
    /// </summary>
    internal static class PreemptionMark
    {
        /// <summary>The scheduler switches <paramref name="t"/> out: marked if the timer does it, unmarked otherwise.</summary>
        public static void OnSwitchOut(Thread t, bool byTimer)
        {
            if (byTimer)
            {
                if (t.Owner != null && !t.Preempted)
                {
                    t.Preempted = true;
                    t.Owner.PreemptedThreads++;
                }
            }
            else if (t.Preempted) Clear(t);
        }

        /// <summary><paramref name="t"/> is in a voluntary kernel entry (it runs kernel code it called), or dead.</summary>
        public static void Clear(Thread t)
        {
            if (!t.Preempted) return;
            t.Preempted = false;
            t.Owner.PreemptedThreads--;
        }
    }
}
