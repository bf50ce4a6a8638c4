using System.Runtime;
using System.Runtime.CompilerServices;
using Singularity.Kernel.Memory;

using Singularity.Kernel.Arch;

namespace Singularity.Kernel.Threading
{
    /// <summary>
    /// A kernel-scheduled thread: a kernel thread, or a thread of a SIP (Owner set). Every thread
    /// has a kernel stack; a SIP thread also has a SIP stack, on which only its SIP's code runs
    /// (kernel code never does: docs/scheduling.md). Each stack has an unmapped guard page below it.
    /// </summary>
    internal sealed unsafe class Thread
    {
        /// <summary>A kernel thread's stack.</summary>
        public const ulong DefaultStackSize = 64 * 1024;

        /// <summary>
        /// A SIP thread's kernel stack: the deepest ABI call, an interrupt frame and its handler
        /// (interrupts.asm keeps 4 KiB for that) must fit.
        /// </summary>
        public const ulong KernelStackSize = 16 * 1024;

        /// <summary>What one SIP thread's stacks take: its kernel and SIP stacks with their guard pages.</summary>
        public const ulong StackBytesPerSipThread = KernelStackSize + Abi.SipLimits.ThreadStackBytes + 2 * PhysicalMemory.PageSize;

        private static int s_nextId = 1;

        public readonly int Id;
        public readonly string Name;
        public ThreadState State;
        public ThreadPriority Priority;
        public ThreadOwner Owner;           // its SIP (Processes.Sip.Of); null for kernel threads
        public ulong RecordCharge;          // a SIP thread's record as charged to its SIP (given back when it goes)
        /// <summary>The CPU share its time is charged to and scheduled by: its SIP's, or the kernel's.</summary>
        public CpuShare Share;

        /// <summary>
        /// Its kernel stack and ABI slot, where the kernel entry code reads them while it runs
        /// (KernelEntry.Load points the entry state at this block at each switch).
        /// </summary>
        public KernelEntry.ThreadEntry EntryBlock;
        public ref ulong KernelStackBase => ref EntryBlock.KernelStackLow;     // lowest usable address (the guard page is below)
        public ref ulong KernelStackTop => ref EntryBlock.KernelStackHigh;
        public ulong SipStackBase;          // SIP threads only
        public ulong SipStackTop;
        public ulong SavedRsp;              // valid while not running; on the kernel stack
        /// <summary>
        /// Where, on the kernel stack, the SIP's stack pointer is kept while the thread is inside
        /// the kernel (Arch/x64/entry.asm); 0 while the thread runs no SIP code.
        /// </summary>
        public ref ulong AbiSlot => ref EntryBlock.AbiSlot;

        public delegate*<ulong, void> Entry;
        public ulong Argument;
        public ulong SipEntry;              // for SIP threads: the SIP's thread function

        // Scheduler and wait-queue links.
        public Thread Next;
        public Thread NextInSip;
        public ulong WakeAtNs;              // for sleeps and timed waits; 0 = none
        public WaitQueue WaitingOn;
        public bool WaitTimedOut;
        public bool DirectWait;             // blocked in Scheduler.BlockDirect
        public int ExitCode;
        public WaitQueue Joiners;
        // For freeing the record of a SIP thread that ended by itself (Sip.OnThreadReaped):
        public bool Exited;                 // it ended through Scheduler.Exit, not killed
        public bool Detached;               // its handle was closed (nobody can name it any more)
        public bool Reaped;                 // its stack was freed
        public ulong CpuCycles;             // TSC cycles spent running (charged at every tick and real switch; a hand-off chain's time goes to whoever runs at the charge: Scheduler.ChargeChain)
        /// <summary>
        /// A SIP thread the timer switched out since its last voluntary kernel entry: it may be
        /// stopped inside an exchange-block access (between its key check and its load or store).
        /// Set and cleared by the scheduler (PreemptionMark); the exchange heap's quarantine reads it.
        /// </summary>
        public bool Preempted;
        private Event _wakeup;

        /// <summary>
        /// What the IPC layer keeps for this thread (Ipc.ThreadChannels: the endpoints a message
        /// carries or a select waits on, the endpoint a blocked call pinned). Threading sits below
        /// Ipc: it only makes and frees it through the functions Ipc registers (SetChannelStateHooks).
        /// </summary>
        public object ChannelState;
        private static delegate*<Thread, void> s_attachChannelState, s_detachChannelState, s_endChannelState;

        /// <summary>
        /// Registers how a SIP thread's channel state is made (at creation, so it is charged with the
        /// record) and freed, and what it lets go of when the thread ends (Scheduler.Exit: the
        /// endpoints a receive left it registered on).
        /// </summary>
        public static void SetChannelStateHooks(delegate*<Thread, void> attach, delegate*<Thread, void> detach, delegate*<Thread, void> end)
        {
            s_attachChannelState = attach;
            s_detachChannelState = detach;
            s_endChannelState = end;
        }

        /// <summary>The running thread ends (Scheduler.Exit, interrupts off): its channel state lets go of what it holds.</summary>
        public static void EndChannelState(Thread t)
        {
            if (s_endChannelState != null && t.ChannelState != null) s_endChannelState(t);
        }

        /// <summary>An auto-reset event for waits on several things at once (channel select).</summary>
        public Event Wakeup => _wakeup ??= new Event(false, false);

        private Thread(string name, ThreadPriority priority)
        {
            Id = s_nextId++;
            Name = name;
            Priority = priority;
            Joiners = new WaitQueue();
        }

        /// <summary>The thread that was running at boot; it becomes the boot/idle thread.</summary>
        public static Thread AdoptBootThread(ulong stackBase, ulong stackTop)
        {
            var t = new Thread("boot", ThreadPriority.Normal);
            t.Share = Scheduler.KernelShare;
            t.KernelStackBase = stackBase;
            t.KernelStackTop = stackTop;
            t.State = ThreadState.Running;
            return t;
        }

        /// <summary>A new thread, not yet started, that will run entry(argument). Null when out of memory.</summary>
        public static Thread Create(string name, delegate*<ulong, void> entry, ulong argument,
                                    ThreadPriority priority, ThreadOwner owner)
        {
            ulong kernelSize = owner == null ? DefaultStackSize : KernelStackSize;
            ulong kernelBase = NewStack(kernelSize, zero: false);
            if (kernelBase == 0) return null;
            ulong kernelTop = kernelBase + kernelSize;
            ulong sipBase = 0;
            if (owner != null)
            {
                sipBase = NewSipStack();
                if (sipBase == 0) { FreeStackAt(kernelBase, KernelStackSize); return null; }
            }
            var t = new Thread(name, priority);
            t.Owner = owner;
            t.EntryBlock.Sip = (void*)Unsafe.As<ThreadOwner, nint>(ref owner);     // never changes (KernelEntry.ThreadEntry)
            t.Share = owner == null ? Scheduler.KernelShare : owner.Share;
            t.KernelStackBase = kernelBase;
            t.KernelStackTop = kernelTop;
            if (owner != null)
            {
                t.SipStackBase = sipBase;
                t.SipStackTop = sipBase + Abi.SipLimits.ThreadStackBytes;
            }
            t.Entry = entry;
            t.Argument = argument;
            t.State = ThreadState.Ready;
            if (owner != null)
            {
                // Made now rather than on first use: a SIP thread's record is charged to its SIP
                // once, at its full size (SipLoader.CreateSipThread).
                _ = t.Wakeup;
                if (s_attachChannelState != null) s_attachChannelState(t);
            }

            // The frame switch_context pops: r15..r12, rbx, rbp, return address. Interrupts stay
            // off (as at every switch) until kernel_thread_start enables them.
            ulong* sp = (ulong*)t.KernelStackTop;
            *--sp = 0;                                  // the trampoline aligns its own stack
            *--sp = ThreadTrampoline();
            for (int i = 0; i < 6; i++) *--sp = 0;      // rbp, rbx, r12, r13, r14, r15
            t.SavedRsp = (ulong)sp;
            return t;
        }

        /// <summary>
        /// Returns the record's memory to the kernel heap: a dead, reaped thread that nothing names
        /// any more (no handle, not on any queue; it left every wait before it ended).
        /// </summary>
        public void FreeRecord()
        {
            Allocator.Free(Joiners);
            _wakeup?.FreeRecord();
            if (s_detachChannelState != null) s_detachChannelState(this);
            Allocator.Free(this);
        }

        // A stack of `size` bytes above an unmapped guard page; its lowest usable address, or 0.
        // A SIP stack is zeroed (NewSipStack: SIP code runs on it); a kernel stack holds only what kernel code
        // wrote there, and the collector reads only its live part (GetStackRanges).
        private static ulong NewStack(ulong size, bool zero)
        {
            ulong pages = size / PhysicalMemory.PageSize + 1;
            ulong mem = PhysicalMemory.AllocateContiguous(pages, zero: false);
            if (mem == 0) return 0;
            Paging.Unmap(mem);
            if (zero) Arch.Cpu.Zero((void*)(mem + PhysicalMemory.PageSize), size);
            return mem + PhysicalMemory.PageSize;
        }

        // The top of a SIP stack zeroed at once; the pages below are zeroed on their first access
        // (Paging.UnmapZeroOnAccess): most threads use a few KiB of their 64 (docs/benchmarks.md).
        private const ulong SipStackEagerBytes = 4 * 1024;

        // A SIP stack (Abi.SipLimits.ThreadStackBytes) above an unmapped guard page; its lowest
        // usable address, or 0. SIP code never sees a byte it did not write: the top is zeroed now,
        // the rest when first touched. FreeStackAt maps it all again before the frames go back.
        private static ulong NewSipStack()
        {
            const ulong size = Abi.SipLimits.ThreadStackBytes;
            ulong pages = size / PhysicalMemory.PageSize + 1;
            ulong mem = PhysicalMemory.AllocateContiguous(pages, zero: false);
            if (mem == 0) return 0;
            Paging.Unmap(mem);
            ulong stackBase = mem + PhysicalMemory.PageSize;
            Paging.UnmapZeroOnAccess(stackBase, (size - SipStackEagerBytes) / PhysicalMemory.PageSize);
            Arch.Cpu.Zero((void*)(stackBase + size - SipStackEagerBytes), SipStackEagerBytes);
            return stackBase;
        }

        private static void FreeStackAt(ulong stackBase, ulong size, bool sipStack = false)
        {
            ulong mem = stackBase - PhysicalMemory.PageSize;
            Paging.Remap(mem);
            // A SIP stack's pages still to be zeroed on access are mapped again: the frames'
            // next owner must find them plain memory.
            if (sipStack) Paging.Remap(stackBase, (size - SipStackEagerBytes) / PhysicalMemory.PageSize);
            PhysicalMemory.FreeContiguous(mem, size / PhysicalMemory.PageSize + 1);
        }

        /// <summary>
        /// Returns the stacks to the frame allocator, and a SIP thread's stacks' charge to its SIP.
        /// Only for dead threads not running.
        /// </summary>
        public void FreeStack()
        {
            if (KernelStackTop == 0 || Name == "boot") return;
            FreeStackAt(KernelStackBase, KernelStackTop - KernelStackBase);
            KernelStackBase = KernelStackTop = 0;
            if (SipStackTop != 0)
            {
                FreeStackAt(SipStackBase, SipStackTop - SipStackBase, sipStack: true);
                Owner.ReleaseStacks(StackBytesPerSipThread);
            }
            SipStackBase = SipStackTop = 0;
        }

        /// <summary>True when <paramref name="rsp"/> is on this thread's SIP stack (its guard page included).</summary>
        public bool IsOnSipStack(ulong rsp) =>
            SipStackBase != 0 && rsp >= SipStackBase - PhysicalMemory.PageSize && rsp <= SipStackTop;

        /// <summary>True for an address in the guard page below this thread's SIP stack.</summary>
        public bool IsSipGuardPage(ulong address) =>
            SipStackBase != 0 && address >= SipStackBase - PhysicalMemory.PageSize && address < SipStackBase;

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "thread_trampoline_address")]
        private static extern ulong ThreadTrampoline();
    }
}
