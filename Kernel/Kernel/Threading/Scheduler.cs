using System.Runtime;
using System.Runtime.CompilerServices;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;

namespace Singularity.Kernel.Threading
{
    /// <summary>
    /// Preemptive priority scheduling on one CPU, fair between CPU shares (SIPs), not threads:
    /// the highest level with a ready thread runs; within it, the share with the least virtual
    /// time (CPU used over its grant), and within that share its threads round-robin. The timer
    /// tick wakes sleepers and ends a quantum; a higher-priority thread that becomes ready runs at
    /// the next tick or switch. All state is guarded by disabling interrupts (docs/scheduling.md).
    /// </summary>
    internal static unsafe class Scheduler
    {
        /// <summary>Priority levels (ThreadPriority Idle to High).</summary>
        public const int Levels = 4;
        private const ulong QuantumTicks = 10;

        private static ReadyQueue[] s_active;       // per level: the queues (shares) with ready threads there
        private static Thread s_yielding;           // Yield: run another share than this thread's if one is ready
        private static bool s_preempting;           // OnTick: the next Schedule switches the running thread out involuntarily
        private static ulong s_wakeCredit;          // see CatchUp (0 until the TSC is calibrated)
        private static Thread s_idle;
        private static Thread s_sleepers;           // sorted by WakeAtNs
        private static Thread s_deadList;           // stacks to free once off them
        private static ulong s_quantumLeft;
        private static bool s_started;
        private static CpuShare s_kernelShare;
        private static ulong s_chargedTsc;          // the TSC when the running thread was last charged

        // The words every hand-off reads or writes, each the only static of its own class: a
        // static at offset 0 of its class's block is one RIP-relative access, one anywhere else
        // takes a `lea` of the block first. The threads are kept as words, not references: a
        // reference static is reached through the GC statics' base, a load the lean channel
        // routines' compiler keeps live in a register from their first read of Current to their
        // last store. The kernel heap is never collected (Bits): a reference kept as a word needs
        // no root. Read and written through the ref properties below as before.
        private static class CurrentWord { public static nint Value; }
        private static class DonorWord { public static nint Value; }
        private static class HandOffWord { public static nint Value; }
        private static class PreferredWord { public static nint Value; }
        private static class ReadyMaskWord { public static uint Value; }
        private static class SwitchesWord { public static ulong Value; }
        private static ref Thread s_current => ref Unsafe.As<nint, Thread>(ref CurrentWord.Value);
        private static ref Thread s_donor => ref Unsafe.As<nint, Thread>(ref DonorWord.Value);          // HandOff: the thread that handed the CPU on, until the next charge (ChargeChain)
        private static ref Thread s_handoff => ref Unsafe.As<nint, Thread>(ref HandOffWord.Value);      // WakeHandOff: ready, in no queue; the next switch runs it (or queues it)
        private static ref Thread s_preferred => ref Unsafe.As<nint, Thread>(ref PreferredWord.Value);  // PreferNext: run this ready thread at the next switch
        private static ref uint s_readyMask => ref ReadyMaskWord.Value;                                 // bit L set when level L has a ready thread
        public static ref ulong ContextSwitches => ref SwitchesWord.Value;

        public static Thread Current => s_current;

        /// <summary>The share of the kernel's own threads.</summary>
        public static CpuShare KernelShare => s_kernelShare;

        /// <summary>TSC cycles the idle thread ran (the processor had nothing else to do).</summary>
        public static ulong IdleCycles => s_idle == null ? 0 : s_idle.CpuCycles;
        public static bool Started => s_started;

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "switch_context")]
        private static extern void SwitchContext(ulong* saveRsp, ulong newRsp);

        // A reference as the word it is: the address of its first field less that field's offset.
        // Stored through Raw, it skips the write barrier (a call; the kernel heap is never
        // collected, the barrier has nothing to record). Unsafe.As on the reference itself would
        // take a local's address: spilled to the stack and loaded back, at each use.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static nint Bits(Thread t) => (nint)Unsafe.AsPointer(ref Unsafe.AddByteOffset(ref Unsafe.As<RawData>(t).Data, -8));

        /// <summary>Makes the boot thread the first thread and creates the idle thread.</summary>
        public static void Initialize(ulong bootStackBase, ulong bootStackTop)
        {
            s_active = new ReadyQueue[Levels];
            s_timed = new Thread[16];
            s_kernelShare = new CpuShare(CpuGrant.Kernel);
            s_chargedTsc = Cpu.ReadTsc();
            s_current = Thread.AdoptBootThread(bootStackBase, bootStackTop);
            s_idle = Thread.Create("idle", &IdleLoop, 0, ThreadPriority.Idle, null);
            if (s_idle == null) Panic.Halt("no memory for the idle thread");
            s_quantumLeft = QuantumTicks;
            s_started = true;
        }

        private static void IdleLoop(ulong unused)
        {
            while (true)
            {
                ReapDead();
                // A thread an interrupt made ready while the CPU idled (a driver woken by its
                // interrupt object) runs now, not at the next timer tick. Checked with interrupts
                // off, then `sti; hlt` in one step, so a wake-up between the check and the halt is
                // not slept through; interrupts on again between rounds.
                Cpu.DisableInterrupts();
                if (s_readyMask != 0 || s_handoff != null) Schedule();
                else Cpu.WaitForInterrupt();
                Cpu.EnableInterrupts();
            }
        }

        // Registered from above (the test module's fault injection): runs on a thread of a SIP with
        // a pending fault, or a hung one, as it gets the CPU. Null in the production image.
        private static delegate*<Thread, void> s_resumeHook;

        /// <summary>Registers the resume hook (once, at boot, before any SIP runs).</summary>
        public static void SetResumeHook(delegate*<Thread, void> hook) => s_resumeHook = hook;

        [RuntimeExport("kernel_thread_start")]
        private static void ThreadStart()
        {
            Thread t = s_current;
            if (s_resumeHook != null && t.Owner != null && t.Owner.PendingFault != 0) s_resumeHook(t);
            Cpu.EnableInterrupts();
            t.Entry(t.Argument);
            Exit(0);
        }

        /// <summary>Starts a thread created with Thread.Create; it runs at once if its priority is higher.</summary>
        public static void Start(Thread t)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            MakeReady(t);
            PreemptIfHigherReady();
            Restore(flags);
        }

        /// <summary>
        /// After making threads ready outside the timer interrupt: if one outranks the running
        /// thread, switch to it now rather than at the next tick. Interrupts must be disabled.
        /// </summary>
        public static void PreemptIfHigherReady()
        {
            if (!s_started || s_current == s_idle || HighestReady() <= (int)s_current.Priority) return;
            MakeReady(s_current);
            Schedule();
        }

        /// <summary>Changes a thread's priority, requeueing it if it is ready.</summary>
        public static void SetPriority(Thread t, ThreadPriority priority)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            if (t == s_handoff) QueueHandOff();
            if (t.State == ThreadState.Ready && t != s_idle)
            {
                RemoveReady(t);
                t.Priority = priority;
                MakeReady(t);
            }
            else t.Priority = priority;
            if (t == s_current && HighestReady() > (int)priority) { MakeReady(t); Schedule(); }
            Restore(flags);
        }

        /// <summary>
        /// Asks that <paramref name="t"/> run at the next switch if it is then ready, at a priority
        /// no lower than any other ready thread, and allowed to run (a channel call hands the CPU
        /// to the receiver it woke while the caller waits for the reply); null withdraws it.
        /// Interrupts must be disabled.
        /// </summary>
        public static void PreferNext(Thread t) => s_preferred = t;

        /// <summary>
        /// Gives up the CPU to another ready thread of the same or higher priority (kernel threads;
        /// a SIP's Yield, ABI entry 5, enters through Arch/x64/yield.asm and takes the lean path
        /// when it applies).
        /// </summary>
        public static void Yield()
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            YieldGeneral();
            Restore(flags);
        }

        // A yield's general path: another share's ready thread at the caller's level if there is
        // one, else the next of its own share (TakeHighestReady with s_yielding). Interrupts off.
        [RuntimeExport("scheduler_yield_general")]
        private static void YieldGeneral()
        {
            if (s_handoff != null) QueueHandOff();
            if (HighestReady() >= (int)s_current.Priority)
            {
                MakeReady(s_current);
                s_yielding = s_current;
                Schedule();
            }
        }

        /// <summary>
        /// The lean yield (Arch/x64/yield.asm, for the ABI's Yield): threads of one share handing
        /// the CPU back and forth. It applies when nothing is pending for the next switch (no
        /// hand-off, no preferred thread), the top ready level is the caller's (no bit above it in
        /// the mask) and its only active queue is the caller's share's, whose first thread its SIP
        /// lets run: the caller is charged up to <paramref name="now"/> (the TSC), goes behind the
        /// last thread of the queue, and the first becomes the running thread (state, quantum,
        /// switch count, entry state), as the general path would do it. Returns the next thread's
        /// saved stack pointer for yield.asm to load; 0 when the lean path does not apply and
        /// nothing but the caller's saved stack pointer was written. Interrupts off; the caller is a
        /// SIP thread (never the idle thread: kernel threads do not enter through the ABI).
        /// A leaf (no calls), so the compiler needs no callee-saved registers for it.
        /// </summary>
        [RuntimeExport("scheduler_yield_lean")]
        private static ulong YieldLean(ulong savedRsp, ulong now)
        {
            Thread cur = s_current;
            // Its switch frame (yield.asm), whether or not it switches here: a running thread's
            // saved stack pointer is read by nobody, and the next switch away writes it again.
            cur.SavedRsp = savedRsp;
            int level = (int)cur.Priority;
            if (s_handoff != null || s_preferred != null || (s_readyMask >> level) != 1) return 0;
            ReadyQueue q = cur.Share.Queues[level];
            Thread next = q.Head;
            if (next == null || q.NextActive != null || s_active[level] != q) return 0;
            // MayRun(next) holds when its SIP neither collects nor hangs (fields, no virtual call);
            // otherwise the general path asks MayRun and parks it if need be.
            ThreadOwner owner = next.Owner;
            if (owner != null && owner.CollectsOrHangs) return 0;
            // Charge (as Charge()): this thread and its share, for the cycles since the last charge.
            ulong cycles = now - s_chargedTsc;
            s_chargedTsc = now;
            cur.CpuCycles += cycles;
            cur.Share.Charge(cycles);
            // Rotate the queue: `next` leaves the head, `cur` goes behind the last. Reference
            // stores as raw words (Raw: no write barrier, and no local spilled to take its address).
            nint curRef = Raw(ref s_current), nextRef = Raw(ref q.Head), afterRef = Raw(ref next.Next);
            Raw(ref next.Next) = 0;
            Raw(ref cur.Next) = 0;
            if (afterRef == 0) Raw(ref q.Head) = curRef;
            else { Raw(ref q.Head) = afterRef; Raw(ref q.Tail.Next) = curRef; }
            Raw(ref q.Tail) = curRef;
            cur.State = ThreadState.Ready;
            // Switch (as SwitchTo; yield.asm loads the stack pointer).
            s_quantumLeft = QuantumTicks;
            next.State = ThreadState.Running;
            Raw(ref s_current) = nextRef;
            ContextSwitches++;
            KernelEntry.Load(ref next.EntryBlock);
            return next.SavedRsp;
        }

        // A reference field as the word it holds: stores through it skip the compiler's write
        // barrier (a call), which records nothing here, the kernel heap is never collected.
        // Interrupts off (scheduler state).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ref nint Raw(ref Thread field) => ref Unsafe.As<Thread, nint>(ref field);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "yield_check_resumes")]
        private static extern void CheckResumesFromNowOn();

        /// <summary>
        /// A thread's owner got a pending fault or hung (ThreadOwner): from now on a thread resumed
        /// by the lean yield runs the resume check too (yield.asm skips it until then; nothing but
        /// these two makes the check do anything).
        /// </summary>
        public static void CheckResumes()
        {
            s_checkResumes = true;
            CheckResumesFromNowOn();
        }

        // Set by CheckResumes (never cleared): a thread resumed by HandOff runs the resume check
        // only from then on; until then the check could find nothing to do.
        private static bool s_checkResumes;

        /// <summary>Whether AfterHandOff runs the resume check (CheckResumes was called).</summary>
        public static bool ChecksResumes => s_checkResumes;

        // A thread saved by yield.asm runs again: its next scheduling point, where injected faults
        // land (as after switch_context in SwitchTo and HandOff). Interrupts off.
        [RuntimeExport("scheduler_resumed")]
        private static void Resumed()
        {
            Thread t = s_current;
            if (s_resumeHook != null && t.Owner != null && (t.Owner.PendingFault != 0 || t.Owner.Hung)) s_resumeHook(t);
        }

        /// <summary>Ends the current thread. Its stack is freed later by the idle thread.</summary>
        public static void Exit(int code)
        {
            Cpu.DisableInterrupts();
            Thread t = s_current;
            // Off every endpoint's watch list before it is dead (a receive left it registered).
            Thread.EndChannelState(t);
            t.ExitCode = code;
            t.State = ThreadState.Dead;
            t.Exited = true;
            WakeAll(t.Joiners);
            if (t.Owner != null) t.Owner.OnThreadExit(t);
            t.Next = s_deadList;
            s_deadList = t;
            Schedule();
            Panic.Halt("a dead thread was scheduled");
        }

        /// <summary>
        /// Leaves the current thread after it was killed (its SIP terminated from one of its own
        /// threads): queues its stack for freeing and switches away for good.
        /// </summary>
        public static void LeaveDeadThread()
        {
            Cpu.DisableInterrupts();
            Thread t = s_current;
            t.State = ThreadState.Dead;
            t.Next = s_deadList;
            s_deadList = t;
            Schedule();
            Panic.Halt("a dead thread was scheduled");
        }

        /// <summary>Switches away from the current thread, which its SIP has parked. Interrupts off.</summary>
        public static void ParkCurrent()
        {
            Cpu.DisableInterrupts();
            s_preempting = true;        // it resumed from a switch and runs no SIP code: its mark stays
            Schedule();
        }

        /// <summary>Blocks the current thread for at least <paramref name="ns"/> nanoseconds.</summary>
        public static void Sleep(ulong ns)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            Thread t = s_current;
            t.WakeAtNs = Clock.MonotonicNs + ns;
            t.WaitingOn = null;
            AddSleeper(t);
            t.State = ThreadState.Blocked;
            Schedule();
            Restore(flags);
        }

        /// <summary>
        /// Blocks the current thread on <paramref name="queue"/> until woken or until the timeout
        /// (ns; 0 = forever). Must be called with interrupts disabled. Returns false on timeout.
        /// </summary>
        public static bool Block(WaitQueue queue, ulong timeoutNs)
        {
            Thread t = s_current;
            t.WaitTimedOut = false;
            t.WaitingOn = queue;
            queue.Enqueue(t);
            t.WakeAtNs = 0;
            if (timeoutNs != 0)
            {
                t.WakeAtNs = Clock.MonotonicNs + timeoutNs;
                AddSleeper(t);
            }
            t.State = ThreadState.Blocked;
            Schedule();
            return !t.WaitTimedOut;
        }

        /// <summary>
        /// Blocks the current thread until WakeDirect or the timeout (ns; 0 = forever). For waits
        /// on several things at once (channel receive and select): the caller registers the thread
        /// wherever it may be woken from, with interrupts disabled, before calling. False on timeout.
        /// </summary>
        public static bool BlockDirect(ulong timeoutNs)
        {
            Thread t = s_current;
            t.WaitTimedOut = false;
            t.WaitingOn = null;
            t.DirectWait = true;
            t.WakeAtNs = 0;
            if (timeoutNs != 0)
            {
                t.WakeAtNs = Clock.MonotonicNs + timeoutNs;
                AddSleeper(t);
            }
            t.State = ThreadState.Blocked;
            Schedule();
            t.DirectWait = false;
            return !t.WaitTimedOut;
        }

        /// <summary>Wakes a thread blocked in BlockDirect (no effect otherwise). Interrupts must be disabled.</summary>
        public static void WakeDirect(Thread t)
        {
            if (t.State != ThreadState.Blocked || !t.DirectWait) return;
            if (t.WakeAtNs != 0) { RemoveSleeper(t); t.WakeAtNs = 0; }
            t.DirectWait = false;
            MakeReady(t);
        }

        /// <summary>
        /// Wakes a thread blocked in BlockDirect to run at the next switch, without a trip through
        /// its ready queue (a channel send that delivered straight into its buffer): it is Ready
        /// but in no queue until then. The next switch runs it if it is still allowed to run and at
        /// the highest ready priority, else queues it as WakeDirect would. One at a time: an earlier
        /// one not yet run is queued. Interrupts must be disabled.
        /// </summary>
        public static void WakeHandOff(Thread t)
        {
            if (t.State != ThreadState.Blocked || !t.DirectWait) return;
            if (t.WakeAtNs != 0) { RemoveSleeper(t); t.WakeAtNs = 0; }
            t.DirectWait = false;
            QueueHandOff();
            // A thread its SIP keeps off the CPU (MustPark) is found so by TakeHandOff's MayRun,
            // or parked by QueueHandOff's MakeReady, whichever comes first.
            if (t == s_idle || t.Share == null) { MakeReady(t); return; }
            // As MakeReady: a share none of whose threads was ready or running starts no further
            // behind the others than the wake credit (sleeping banks nothing).
            if (t.Share.Queued == 0 && t.Share != s_current.Share) CatchUp(t.Share, (int)t.Priority);
            t.State = ThreadState.Ready;
            s_handoff = t;
        }

        /// <summary>
        /// Whether <paramref name="t"/>, a thread blocked in BlockDirect, may have the CPU straight
        /// from the running thread (HandOff): it has a share, no earlier hand-off waits for the next
        /// switch, nothing ready outranks it (no bit of the ready mask above its level, as
        /// HighestReady() &lt;= its priority), and its SIP lets it run (MayRun, which also answers
        /// MustPark). Blocked, it is neither the running thread (which is Blocked only inside the
        /// scheduler, between its state change and the switch, where no channel code runs) nor the
        /// idle thread (which never blocks). Interrupts must be disabled.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool CanHandOff(Thread t)
        {
            if (t.State != ThreadState.Blocked || !t.DirectWait || t.Share == null
                || s_handoff != null || (s_readyMask >> (int)t.Priority) > 1) return false;
            // MayRun holds when its SIP neither collects nor hangs (two fields, as in YieldLean);
            // otherwise MayRun is asked.
            ThreadOwner o = t.Owner;
            return o == null || !o.CollectsOrHangs || o.MayRun(t);
        }

        /// <summary>
        /// CanHandOff for a thread its caller knows is in a direct wait not yet ended (DirectWait,
        /// read by the caller), hence neither the running nor the idle thread, has a share and has
        /// <paramref name="o"/> for its owner, not null (the channel fast path's kept receiver,
        /// Ipc/Endpoint.cs Receiver): the rest of the test. Interrupts must be disabled.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool CanHandOffWaiting(Thread t, ThreadOwner o)
        {
            if (s_handoff != null || (s_readyMask >> (int)t.Priority) > 1) return false;
            return !o.CollectsOrHangs || o.MayRun(t);
        }

        /// <summary>
        /// CanHandOffWaiting without asking MayRun (no call): false also when the owner collects,
        /// hangs or has ended (ThreadOwner.Held: one byte for the three), where MayRun might have
        /// said yes (the lean entries then take the general path).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool CanHandOffPlainly(Thread t, ThreadOwner o) =>
            o.Held == 0 && s_handoff == null && (s_readyMask >> (int)t.Priority) <= 1;

        /// <summary>
        /// The rendezvous switch of the channel fast path (Ipc/ChannelFastPath.cs): the running
        /// thread blocks as in BlockDirect (until WakeDirect, WakeHandOff, a HandOff to it, or the
        /// timeout in ns, 0 = none) and <paramref name="t"/>, for which CanHandOff was true with
        /// interrupts off since, leaves its own wait and runs at once: no ready queue, no choice of
        /// share. Nobody is charged here and no share caught up: <paramref name="t"/> runs on the
        /// caller's time, and the next charge (a tick, a switch) settles it (ChargeChain,
        /// docs/scheduling.md "Hand-off chains"). The quantum is not
        /// renewed (the rest of it goes with the CPU, so a pair handing the CPU back and forth is
        /// preempted at its end like one thread). False when the caller's wait timed out.
        /// Interrupts must be disabled.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool HandOff(Thread t, ulong timeoutNs)
        {
            Thread cur = s_current;
            PrepareHandOff(cur, t, timeoutNs);
            SwitchContext((ulong*)Unsafe.AsPointer(ref cur.SavedRsp), t.SavedRsp);
            return AfterHandOff(cur);
        }

        /// <summary>
        /// HandOff for the lean entries (Arch/x64/ipc.asm): all of it but the switch, which the asm
        /// does with the stack pointer returned (<paramref name="t"/>'s saved one); the caller's
        /// switch frame is at <paramref name="savedRsp"/>; <paramref name="cur"/> is the running
        /// thread (the caller's, read once). When the caller runs again, the asm returns at once if
        /// the deliverer completed its wait, else its resume routine calls AfterHandOff.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong HandOffLean(Thread cur, Thread t, ulong timeoutNs, ulong savedRsp)
        {
            cur.SavedRsp = savedRsp;
            // The usual hop (no timeout on either side, `t` not the preferred thread) calls
            // nothing, so the caller keeps no value across a call for it; the rest out of line.
            if ((timeoutNs | t.WakeAtNs) != 0 || s_preferred == t) return HandOffLeanRare(cur, t, timeoutNs);
            t.DirectWait = false;
            cur.WaitTimedOut = false;
            cur.WaitingOn = null;
            cur.DirectWait = true;
            cur.WakeAtNs = 0;
            cur.State = ThreadState.Blocked;
            SwitchLean(cur, t);
            return t.SavedRsp;
        }

        // HandOffLean with a sleeper to add or remove, or the preferred thread to forget.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static ulong HandOffLeanRare(Thread cur, Thread t, ulong timeoutNs)
        {
            PrepareHandOff(cur, t, timeoutNs);
            return t.SavedRsp;
        }

        /// <summary>
        /// The caller of HandOff or HandOffLean runs again: its next scheduling point (the resume
        /// check, as after every switch) and the end of its wait. False when the wait timed out.
        /// Interrupts off.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool AfterHandOff(Thread cur)
        {
            if (s_checkResumes) Resumed();
            cur.DirectWait = false;
            return !cur.WaitTimedOut;
        }

        // HandOff up to the switch: `cur` (the running thread) blocked, `t` running. Interrupts off.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void PrepareHandOff(Thread cur, Thread t, ulong timeoutNs)
        {
            // `t` leaves its wait, as WakeDirect would take it out.
            if (t.WakeAtNs != 0) { RemoveSleeper(t); t.WakeAtNs = 0; }
            t.DirectWait = false;
            if (s_preferred == t) s_preferred = null;
            // The caller waits, as in BlockDirect.
            cur.WaitTimedOut = false;
            cur.WaitingOn = null;
            cur.DirectWait = true;
            cur.WakeAtNs = 0;
            if (timeoutNs != 0)
            {
                cur.WakeAtNs = Clock.MonotonicNs + timeoutNs;
                AddSleeper(cur);
            }
            cur.State = ThreadState.Blocked;
            SwitchLean(cur, t);
        }

        // A hand-off's switch (as SwitchTo, the quantum kept; no charge: the next one settles,
        // ChargeChain) up to the stacks: `t` runs, `cur` (the running thread) is its donor.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void SwitchLean(Thread cur, Thread t)
        {
            t.State = ThreadState.Running;
            nint next = Bits(t), donor = Bits(cur);
            CurrentWord.Value = next;
            DonorWord.Value = donor;
            SwitchesWord.Value++;           // ContextSwitches, as the word itself: one `inc`, no `lea`
            KernelEntry.Load(ref t.EntryBlock);
        }

        // The hand-off thread, if any, goes into its ready queue like any woken thread.
        private static void QueueHandOff()
        {
            Thread h = s_handoff;
            s_handoff = null;
            if (h != null && h.State == ThreadState.Ready) MakeReady(h);
        }

        // The hand-off thread, taken, if it may run now; else it is queued and null returned.
        private static Thread TakeHandOff(Thread prev)
        {
            Thread t = s_handoff;
            if (t == null) return null;
            s_handoff = null;
            if (t.State != ThreadState.Ready || t == prev) return null;
            // MustPark(t) implies !MayRun(t): one virtual call decides both.
            if ((int)t.Priority < HighestReady() || (t.Owner != null && !t.Owner.MayRun(t)))
            {
                MakeReady(t);
                return null;
            }
            s_yielding = null;
            if (s_preferred == t) s_preferred = null;
            return t;
        }

        /// <summary>Wakes the first thread waiting on the queue. Interrupts must be disabled.</summary>
        public static Thread WakeOne(WaitQueue queue)
        {
            Thread t = queue.Dequeue();
            if (t == null) return null;
            t.WaitingOn = null;
            if (t.WakeAtNs != 0) { RemoveSleeper(t); t.WakeAtNs = 0; }
            MakeReady(t);
            return t;
        }

        public static void WakeAll(WaitQueue queue)
        {
            while (WakeOne(queue) != null) { }
        }

        /// <summary>Takes a thread off every queue and marks it dead (used when its SIP is killed).</summary>
        public static void Kill(Thread t)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            if (t.State == ThreadState.Dead) { Restore(flags); return; }
            PreemptionMark.Clear(t);
            if (t == s_handoff) s_handoff = null;
            if (t.State == ThreadState.Ready) RemoveReady(t);
            if (t.State == ThreadState.Blocked)
            {
                if (t.WaitingOn != null) t.WaitingOn.Remove(t);
                if (t.WakeAtNs != 0) RemoveSleeper(t);
                t.DirectWait = false;
            }
            t.State = ThreadState.Dead;
            WakeAll(t.Joiners);
            if (t != s_current)
            {
                t.Next = s_deadList;
                s_deadList = t;
            }
            Restore(flags);
        }

        /// <summary>Called from the timer interrupt, with interrupts disabled.</summary>
        public static void OnTick()
        {
            if (!s_started) return;
            Charge();
            // A hand-off not yet run competes like any ready thread from here (it never starves
            // behind a sender that goes on running).
            if (s_handoff != null) QueueHandOff();
            ulong now = Clock.MonotonicNs;
            while (s_sleepers != null && s_sleepers.WakeAtNs <= now)
            {
                Thread t = s_sleepers;
                s_sleepers = t.Next;
                t.Next = null;
                t.WakeAtNs = 0;
                if (t.DirectWait) { t.WaitTimedOut = true; t.DirectWait = false; }
                MakeReady(t);
            }
            if (s_timedCount > 0) ExpireTimedWaits(now);
            if (s_quantumLeft > 0) s_quantumLeft--;
            int best = HighestReady();
            if (best > (int)s_current.Priority || (s_quantumLeft == 0 && best >= (int)s_current.Priority))
            {
                if (s_current.State == ThreadState.Running) MakeReady(s_current);
                s_preempting = true;
                Schedule();
            }
        }

        // Picks the next thread and switches to it. Interrupts must be disabled. The current
        // thread must already be queued somewhere (ready, blocked or dead) unless it is idle.
        private static void Schedule()
        {
            Charge();
            Thread prev = s_current;
            bool preempted = s_preempting;
            s_preempting = false;
            // The hand-off and the preferred thread were asked whether their SIP lets them run.
            Thread next = TakeHandOff(prev) ?? TakePreferred(prev);
            if (next == null)
            {
                next = TakeHighestReady();
                // A thread queued before its SIP paused for a collection (BeginCollection: every other
                // thread stops) or hung waits with the SIP's parked threads instead of running.
                while (next != null && next.Owner != null && !next.Owner.MayRun(next))
                {
                    next.Owner.Park(next);
                    next = TakeHighestReady();
                }
            }
            if (next == null) next = s_idle;
            s_quantumLeft = QuantumTicks;
            if (next == prev)
            {
                prev.State = ThreadState.Running;
                return;
            }
            if (prev == s_idle && prev.State == ThreadState.Running) prev.State = ThreadState.Ready;
            PreemptionMark.OnSwitchOut(prev, preempted);
            SwitchTo(prev, next);
        }

        // Runs `next` in place of `prev` (already queued, blocked or dead, and charged). Interrupts off.
        private static void SwitchTo(Thread prev, Thread next)
        {
            s_quantumLeft = QuantumTicks;
            next.State = ThreadState.Running;
            s_current = next;
            ContextSwitches++;
            // From here, kernel entries (ABI calls, interrupts) of `next` use its kernel stack.
            KernelEntry.Load(ref next.EntryBlock);
            // Kernel objects never move (the kernel heap is not collected), so the pin is free.
            fixed (ulong* save = &prev.SavedRsp) SwitchContext(save, next.SavedRsp);
            // Here `prev` runs again: its next scheduling point, where injected faults land.
            if (s_resumeHook != null && s_current.Owner != null && (s_current.Owner.PendingFault != 0 || s_current.Owner.Hung))
                s_resumeHook(s_current);
        }

        // Charges the running thread and its share for the cycles since the last charge. Interrupts off.
        private static void Charge()
        {
            ulong now = Cpu.ReadTsc();
            ulong cycles = now - s_chargedTsc;
            s_chargedTsc = now;
            Thread t = s_current;
            if (s_donor != null) ChargeChain(t);
            t.CpuCycles += cycles;
            if (t != s_idle) t.Share.Charge(cycles);
        }

        // The running thread got the CPU by a hand-off (HandOff: no charge, no catch-up per hop)
        // from s_donor since the last charge. Hand-offs run on the time of the thread that had the
        // CPU: the cycles since the last charge all go to the thread running now, as a tick charges
        // whoever runs, so each thread of a chain of hand-offs is charged about its part of it over
        // many ticks, and the chain together exactly its time. Before that, its share is caught up
        // as it would have been at the hand-off (CatchUp: a share none of whose threads is ready
        // starts no further behind the donor's share and the ready ones at its level than the wake
        // credit), so it does not bring into the ready queues the time it did not use while it
        // waited. Interrupts off; `t` is the running thread.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void ChargeChain(Thread t)
        {
            CpuShare share = t.Share;
            Thread o = s_donor;
            s_donor = null;                 // settled: charged from here on as any thread
            // Another of its threads queued: its share competes already (as at a hand-off). The
            // thread itself may be queued just now (a yield or a preemption queues it before Schedule).
            if (t == s_idle || share == null || share.Queued > (t.State == ThreadState.Ready ? 1 : 0)) return;
            CatchUp(share, (int)t.Priority, o);
        }

        /// <summary>Cycles as milliseconds (0 before the TSC is calibrated).</summary>
        public static ulong CyclesToMs(ulong cycles) => Clock.TscHz < 1000 ? 0 : cycles / (Clock.TscHz / 1000);

        // A SIP paused for its garbage collection (or hung by fault injection) keeps its other
        // threads off the CPU: they wait, parked, until the collection ends.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool MustPark(Thread t) =>
            t.Owner != null && t.Owner.CollectsOrHangs && !t.Owner.MayRun(t);

        private static void MakeReady(Thread t)
        {
            if (t == s_idle) { t.State = ThreadState.Ready; return; }
            if (MustPark(t))
            {
                t.State = ThreadState.Ready;
                t.Owner.Park(t);
                return;
            }
            t.State = ThreadState.Ready;
            int level = (int)t.Priority;
            ReadyQueue q = t.Share.Queues[level];
            t.Next = null;
            if (q.Head == null)
            {
                // A share none of whose threads was ready or running wakes up: it may not bring
                // back the time it did not use while asleep (see CatchUp).
                if (q.Share.Queued == 0 && (q.Share != s_current.Share || s_current == s_idle)) CatchUp(q.Share, level);
                q.NextActive = s_active[level];
                s_active[level] = q;
                s_readyMask |= 1u << level;
                q.Head = t;
            }
            else q.Tail.Next = t;
            q.Tail = t;
            q.Share.Queued++;
        }

        // A waking share starts no further behind the shares competing at its level than a wake
        // credit (half a quantum at the default share): it runs soon (an interactive SIP answers
        // within a quantum), but sleeping banks nothing, so it cannot then outrun them for long.
        private static void CatchUp(CpuShare share, int level) => CatchUp(share, level, s_current);

        // CatchUp against the shares ready at `level` and `other`'s (the running thread, or the donor
        // of a chain of hand-offs: ChargeChain), `share` itself excepted (its thread may be queued
        // just now when a chain is settled) and a dead or idle `other` ignored.
        private static void CatchUp(CpuShare share, int level, Thread other)
        {
            bool any = false;
            ulong least = 0;
            for (ReadyQueue q = s_active[level]; q != null; q = q.NextActive)
                if (q.Share != share && (!any || (long)(q.Share.VirtualTime - least) < 0)) { least = q.Share.VirtualTime; any = true; }
            if (other != null && other != s_idle && other.State != ThreadState.Dead && other.Share != null && other.Share != share
                && (int)other.Priority == level && (!any || (long)(other.Share.VirtualTime - least) < 0))
            {
                least = other.Share.VirtualTime;
                any = true;
            }
            if (!any) return;
            if (s_wakeCredit == 0) s_wakeCredit = CpuShare.DefaultVirtual(Clock.TscHz / 1000 * QuantumTicks / 2);
            ulong floor = least - s_wakeCredit;
            if ((long)(share.VirtualTime - floor) < 0) share.VirtualTime = floor;
        }

        /// <summary>Makes parked threads of a SIP runnable again. Interrupts must be disabled.</summary>
        public static void Unpark(Thread t) => MakeReady(t);

        // The thread PreferNext named, taken off its ready queue, if it may run now: ready (in its
        // queue, so not parked), not the idle thread, and at the highest ready priority.
        private static Thread TakePreferred(Thread prev)
        {
            Thread t = s_preferred;
            s_preferred = null;
            if (t == null || t == prev || t == s_idle || t.State != ThreadState.Ready) return null;
            // MustPark(t) implies !MayRun(t): one virtual call decides both.
            if ((int)t.Priority < HighestReady() || (t.Owner != null && !t.Owner.MayRun(t))) return null;
            if (!RemoveReady(t)) return null;
            s_yielding = null;
            return t;
        }

        private static bool RemoveReady(Thread t)
        {
            int level = (int)t.Priority;
            ReadyQueue q = t.Share.Queues[level];
            Thread prev = null;
            for (Thread c = q.Head; c != null; prev = c, c = c.Next)
            {
                if (c != t) continue;
                if (prev == null) q.Head = c.Next; else prev.Next = c.Next;
                if (q.Tail == c) q.Tail = prev;
                c.Next = null;
                q.Share.Queued--;
                if (q.Head == null) Deactivate(q, level);
                return true;
            }
            return false;
        }

        // Takes a queue whose last ready thread left off its level's list.
        private static void Deactivate(ReadyQueue q, int level)
        {
            if (s_active[level] == q) s_active[level] = q.NextActive;
            else
            {
                ReadyQueue prev = s_active[level];
                while (prev != null && prev.NextActive != q) prev = prev.NextActive;
                if (prev != null) prev.NextActive = q.NextActive;
            }
            q.NextActive = null;
            if (s_active[level] == null) s_readyMask &= ~(1u << level);
        }

        private static int HighestReady()
        {
            uint m = s_readyMask;
            if (m == 0) return -1;
            return m >= 8 ? 3 : m >= 4 ? 2 : m >= 2 ? 1 : 0;
        }

        // The next thread to run: at the highest level with a ready thread, the first ready thread
        // of the share with the least virtual time. After a Yield, another share's if one is ready.
        private static Thread TakeHighestReady()
        {
            Thread avoid = s_yielding;
            s_yielding = null;
            while (true)
            {
                int level = HighestReady();
                if (level < 0) return null;
                ReadyQueue q = s_active[level];
                if (q.NextActive != null) q = LeastAdvanced(level, avoid);
                Thread t = q.Head;
                q.Head = t.Next;
                q.Share.Queued--;
                if (t.Next == null)
                {
                    q.Tail = null;
                    Deactivate(q, level);
                }
                t.Next = null;
                // Queued before its SIP paused for a collection: it must not run until the end.
                if (MustPark(t)) { t.Owner.Park(t); continue; }
                return t;
            }
        }

        // The queue of the share with the least virtual time among those with ready threads at the
        // level, passing over one whose next thread is `avoid` (it yielded) while there is another.
        private static ReadyQueue LeastAdvanced(int level, Thread avoid)
        {
            ReadyQueue best = null;
            for (ReadyQueue q = s_active[level]; q != null; q = q.NextActive)
                if (q.Head != avoid && (best == null || (long)(q.Share.VirtualTime - best.Share.VirtualTime) < 0)) best = q;
            return best ?? s_active[level];
        }

        private static void AddSleeper(Thread t)
        {
            // Sleepers and timed waiters are linked through a separate chain: Next is taken by
            // wait queues, so timed waits use a second list keyed on WakeAtNs.
            if (t.WaitingOn != null) { AddTimedWaiter(t); return; }
            Thread prev = null, c = s_sleepers;
            while (c != null && c.WakeAtNs <= t.WakeAtNs) { prev = c; c = c.Next; }
            t.Next = c;
            if (prev == null) s_sleepers = t; else prev.Next = t;
        }

        private static void RemoveSleeper(Thread t)
        {
            if (t.WaitingOn != null || IsTimedWaiter(t)) { RemoveTimedWaiter(t); return; }
            Thread prev = null;
            for (Thread c = s_sleepers; c != null; prev = c, c = c.Next)
            {
                if (c != t) continue;
                if (prev == null) s_sleepers = c.Next; else prev.Next = c.Next;
                c.Next = null;
                return;
            }
        }

        // Timed waiters sit on a wait queue (through Next) and on this array-backed list.
        private static Thread[] s_timed;
        private static int s_timedCount;

        private static void AddTimedWaiter(Thread t)
        {
            if (s_timedCount == s_timed.Length)
            {
                var bigger = new Thread[s_timed.Length * 2];
                for (int i = 0; i < s_timedCount; i++) bigger[i] = s_timed[i];
                Allocator.Free(s_timed);
                s_timed = bigger;
            }
            s_timed[s_timedCount++] = t;
        }

        private static bool IsTimedWaiter(Thread t)
        {
            for (int i = 0; i < s_timedCount; i++) if (s_timed[i] == t) return true;
            return false;
        }

        private static void RemoveTimedWaiter(Thread t)
        {
            for (int i = 0; i < s_timedCount; i++)
            {
                if (s_timed[i] != t) continue;
                s_timed[i] = s_timed[--s_timedCount];
                s_timed[s_timedCount] = null;
                return;
            }
        }

        /// <summary>Times out expired timed waits. Called from OnTick.</summary>
        private static void ExpireTimedWaits(ulong now)
        {
            for (int i = 0; i < s_timedCount;)
            {
                Thread t = s_timed[i];
                if (t.WakeAtNs > now) { i++; continue; }
                s_timed[i] = s_timed[--s_timedCount];
                s_timed[s_timedCount] = null;
                t.WakeAtNs = 0;
                if (t.WaitingOn != null) t.WaitingOn.Remove(t);
                t.WaitingOn = null;
                t.WaitTimedOut = true;
                MakeReady(t);
            }
        }

        /// <summary>Frees the stacks of dead threads (normally done by the idle thread).</summary>
        public static void ReapDead()
        {
            // One thread at a time, interrupts off: a stack is either on the dead list or free,
            // never held by a reaper that was preempted (`mem` would count it as lost).
            while (true)
            {
                ulong flags = Cpu.ReadRflags();
                Cpu.DisableInterrupts();
                Thread t = s_deadList;
                if (t != null)
                {
                    s_deadList = t.Next;
                    if (t == s_donor) s_donor = null;      // ChargeChain reads it; its record may go
                    t.FreeStack();
                    // A SIP thread's record may go now too (if its handle is closed).
                    if (t.Owner != null) t.Owner.OnThreadReaped(t);
                }
                Restore(flags);
                if (t == null) return;
            }
        }

        private static void Restore(ulong flags)
        {
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }
    }
}
