namespace Singularity.Kernel.Threading
{
    /// <summary>
    /// The ready threads of one CPU share at one priority level, first to run first (the threads of
    /// a SIP take turns), and its link in the scheduler's list of the level's shares with ready
    /// threads. Guarded, like the scheduler, by disabling interrupts.
    /// </summary>
    internal sealed class ReadyQueue
    {
        public readonly CpuShare Share;
        public Thread Head;
        public Thread Tail;
        public ReadyQueue NextActive;       // the next queue of the level with ready threads

        public ReadyQueue(CpuShare share)
        {
            Share = share;
        }
    }
}
