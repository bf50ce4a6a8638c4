namespace Singularity.Kernel.Threading
{
    /// <summary>
    /// What a thread belongs to, as the scheduler sees it: a SIP (Processes.Sip derives from this),
    /// or nothing for kernel threads. Threading sits below Processes, so it knows the SIP only
    /// through these members: whether a thread may run now (a collection in progress, a hang),
    /// where to park it otherwise, and what happens as its threads exit and are reaped.
    /// </summary>
    internal abstract class ThreadOwner
    {
        /// <summary>The CPU share its threads' time is charged to and scheduled by.</summary>
        public CpuShare Share;

        /// <summary>
        /// Nonzero: the scheduler's resume hook (registered by the test module's fault injection)
        /// runs when a thread of this owner next gets the CPU. The value is the hook's own (a fault kind).
        /// </summary>
        public byte PendingFault
        {
            get => _pendingFault;
            set { _pendingFault = value; if (value != 0) Scheduler.CheckResumes(); }
        }

        /// <summary>Set by an injected hang: the owner stays alive but none of its threads runs again.</summary>
        public bool Hung
        {
            get => (Held & HeldHung) != 0;
            set { Hold(HeldHung, value); if (value) Scheduler.CheckResumes(); }
        }

        // Set only through the properties: the lean yield resumes threads without the resume
        // check until one of them is set (Scheduler.CheckResumes).
        private byte _pendingFault;

        /// <summary>
        /// The thread running a collection, during which only it may run; null otherwise. A field,
        /// not a virtual call: the lean yield reads it (with Hung) to know MayRun holds.
        /// </summary>
        public Thread Collector
        {
            get => _collector;
            protected set { _collector = value; Hold(HeldCollects, value != null); }
        }
        private Thread _collector;

        /// <summary>
        /// 0 while its threads may be handed the CPU plainly (the channel fast path's hop,
        /// Scheduler.CanHandOffPlainly): no collection runs, not hung, not ended. One bit for each,
        /// written only by the setters of Collector, Hung and (Sip) State, so no writer can miss
        /// it; the hop tests one byte instead of three fields.
        /// </summary>
        public byte Held { get; private set; }

        private const byte HeldCollects = 1, HeldHung = 2;
        /// <summary>Held's bit for an ended owner (Sip.State not Running).</summary>
        protected const byte HeldEnded = 4;

        /// <summary>A collection runs or it hangs (Held's two bits, one test): MayRun may say no.</summary>
        public bool CollectsOrHangs => (Held & (HeldCollects | HeldHung)) != 0;

        /// <summary>Sets or clears one of Held's bits.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        protected void Hold(byte bit, bool on) => Held = on ? (byte)(Held | bit) : (byte)(Held & ~bit);

        /// <summary>How many of its threads carry Thread.Preempted (the exchange heap tests it before a send or free).</summary>
        public int PreemptedThreads;

        /// <summary>Whether <paramref name="t"/> may be given the CPU now.</summary>
        public abstract bool MayRun(Thread t);

        /// <summary>Keeps <paramref name="t"/> off the CPU until the owner lets it run again.</summary>
        public abstract void Park(Thread t);

        /// <summary>A thread of this owner has ended (on that thread, interrupts off).</summary>
        public abstract void OnThreadExit(Thread t);

        /// <summary>An ended thread's stacks have been freed (by the reaper).</summary>
        public abstract void OnThreadReaped(Thread t);

        /// <summary>A thread's stacks (<paramref name="bytes"/>) went back: its charge goes too.</summary>
        public abstract void ReleaseStacks(ulong bytes);
    }
}
