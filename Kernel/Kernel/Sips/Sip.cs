using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel
{
    internal enum SipState : byte { Running, Exited, Failed }

    /// <summary>
    /// A software-isolated process: its loaded image, its threads, the memory it was granted and
    /// the kernel objects it holds handles to. Killing a SIP ends its threads and returns every
    /// page it held; nothing of it survives in the kernel but this record and its exit status.
    /// </summary>
    internal sealed unsafe class Sip
    {
        public const ulong DefaultHeapQuota = 16UL * 1024 * 1024;
        private const int MaxHandles = 256;
        private const int MaxAllocations = 4096;

        private static int s_nextId = 1;

        public readonly int Id;
        public readonly string Name;
        public readonly string Arguments;
        public SipState State;
        public int ExitCode;
        public string FailureReason;
        public int ParentId;                 // the SIP that started it (0: the kernel); its process control reaches it (Grants)

        // The loaded image (identity-mapped frames) and the boot module it came from.
        public ulong ImageBase, ImagePages, ImageLow;
        public ElfImage Elf;
        public ulong Entry;
        public ulong FaultEntry;             // the runtime's eh_throw_hw: CPU faults become exceptions
        public string[] StartupPaths;        // endpoints wired from the manifest, until the SIP takes them
        public int[] StartupHandles;
        public Abi.SipStartInfo* StartInfo;  // what the main thread was entered with; freed when the SIP ends

        // Memory granted through the ABI, counted against the quota.
        public readonly ulong HeapQuota;
        public ulong HeapBytes;
        public ulong ExchangeBytes;
        public int ExchangeBlocks;
        public ulong ExchangeQuota = Channels.ExchangeHeap.DefaultQuota;
        private ulong* _allocations;         // pairs (address, pages)
        private int _allocationCount;

        public Thread Threads;               // linked through NextInSip
        public int LiveThreads;
        private object[] _handles;
        public readonly WaitQueue ExitWaiters = new WaitQueue();

        // A collection in progress: only this thread of the SIP may run.
        private Thread _collector;
        private Thread _parked;

        public Sip Next;                     // in the SIP table

        /// <summary>A fault the test hook asked for: applied when a thread of this SIP next gets the CPU.</summary>
        public InjectedFault PendingFault;
        /// <summary>Set by an injected hang: the SIP stays alive but none of its threads runs again.</summary>
        public bool Hung;

        public Sip(string name, string arguments, ulong heapQuota)
        {
            Id = s_nextId++;
            Name = name;
            Arguments = arguments;
            HeapQuota = heapQuota;
            _handles = new object[MaxHandles];
            _allocations = (ulong*)KernelHeap.Allocate(MaxAllocations * 16);
        }

        public bool IsAlive => State == SipState.Running;

        public bool ContainsCode(ulong address) =>
            address >= ImageBase && address < ImageBase + ImagePages * PhysicalMemory.PageSize;

        // ---- memory -------------------------------------------------------------------------

        /// <summary>Zeroed pages for the SIP's heap, or 0 when the quota or memory is exhausted.</summary>
        public ulong AllocatePages(ulong pages)
        {
            // Checked: pages * PageSize must not wrap past the quota test; the kernel's reserve stays free.
            if (pages == 0 || pages > (HeapQuota - HeapBytes) / PhysicalMemory.PageSize) return 0;
            ulong bytes = pages * PhysicalMemory.PageSize;
            if (_allocations == null || _allocationCount == MaxAllocations || !KernelReserve.AllowsSipGrant(bytes)) return 0;
            ulong mem = PhysicalMemory.AllocateContiguous(pages);
            if (mem == 0) return 0;
            _allocations[_allocationCount * 2] = mem;
            _allocations[_allocationCount * 2 + 1] = pages;
            _allocationCount++;
            HeapBytes += bytes;
            return mem;
        }

        /// <summary>Returns pages given by AllocatePages. False if the SIP does not hold exactly that range.</summary>
        public bool FreePages(ulong address, ulong pages)
        {
            if (_allocations == null) return false;
            for (int i = 0; i < _allocationCount; i++)
            {
                if (_allocations[i * 2] != address || _allocations[i * 2 + 1] != pages) continue;
                PhysicalMemory.FreeContiguous(address, pages);
                HeapBytes -= pages * PhysicalMemory.PageSize;
                _allocationCount--;
                _allocations[i * 2] = _allocations[_allocationCount * 2];
                _allocations[i * 2 + 1] = _allocations[_allocationCount * 2 + 1];
                return true;
            }
            return false;
        }

        // ---- handles ------------------------------------------------------------------------

        public int AddHandle(object o)
        {
            if (_handles == null) return -1;
            for (int i = 1; i < MaxHandles; i++)
                if (_handles[i] == null) { _handles[i] = o; return i; }
            return -1;
        }

        /// <summary>Whether AddHandle would succeed now.</summary>
        public bool HasFreeHandle
        {
            get
            {
                if (_handles == null) return false;
                for (int i = 1; i < MaxHandles; i++) if (_handles[i] == null) return true;
                return false;
            }
        }

        public object GetHandle(int h) => h > 0 && h < MaxHandles && _handles != null ? _handles[h] : null;

        public bool CloseHandle(int h)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            object o = GetHandle(h);
            if (o != null)
            {
                _handles[h] = null;
                // An endpoint closes (its peer still refers to it); events and mutexes die with
                // the handle; a thread's record goes once the thread has ended and been reaped.
                if (o is Channels.Endpoint e) e.Close();
                else if (o is Event ev) ev.FreeRecord();
                else if (o is Mutex m) m.FreeRecord();
                else if (o is Thread t)
                {
                    t.Detached = true;
                    if (t.Reaped && t.Exited) ForgetThread(t);
                }
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return o != null;
        }

        /// <summary>Removes a handle without destroying what it names (it is moving elsewhere).</summary>
        public object TakeHandle(int h)
        {
            object o = GetHandle(h);
            if (o != null) _handles[h] = null;
            return o;
        }

        // ---- threads ------------------------------------------------------------------------

        private bool _threadsReleased;      // Terminate released every reference to the threads but this list

        public void AddThread(Thread t)
        {
            t.NextInSip = Threads;
            Threads = t;
            LiveThreads++;
        }

        /// <summary>
        /// The thread's stack was freed (the idle thread reaps dead threads). A thread that ended
        /// by itself and whose handle is closed is forgotten: its record goes back to the kernel
        /// heap, so a SIP may start and join threads for as long as it runs. Once the SIP has ended
        /// and released what could name its threads (Terminate), every reaped thread goes.
        /// </summary>
        public void OnThreadReaped(Thread t)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            t.Reaped = true;
            if ((t.Detached && t.Exited) || _threadsReleased) ForgetThread(t);
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }

        // Unlinks and frees a dead thread's record. Interrupts off.
        private void ForgetThread(Thread t)
        {
            if (Threads == t) Threads = t.NextInSip;
            else
                for (Thread p = Threads; p != null; p = p.NextInSip)
                    if (p.NextInSip == t) { p.NextInSip = t.NextInSip; break; }
            t.FreeRecord();
        }

        /// <summary>A thread added but never started (its handle could not be made) is dead already.</summary>
        public void ForgetUnstartedThread(Thread t)
        {
            // It never ran, so it waits nowhere: its record goes once its stack is reaped.
            t.Exited = true;
            t.Detached = true;
            Scheduler.Kill(t);
            LiveThreads--;
        }

        /// <summary>Called (interrupts off) when one of its threads exits normally.</summary>
        public void OnThreadExit(Thread t)
        {
            LiveThreads--;
            if (_collector == t) EndCollection();
            // The SIP ends when its last thread does, with that thread's exit code.
            if (LiveThreads == 0 && State == SipState.Running) Terminate(SipState.Exited, t.ExitCode, null);
        }

        /// <summary>The thread running this SIP's garbage collection, or null.</summary>
        public Thread Collector => _collector;

        public bool MayRun(Thread t) => !Hung && (_collector == null || _collector == t || State != SipState.Running);

        public void Park(Thread t)
        {
            t.Next = _parked;
            _parked = t;
        }

        /// <summary>Pauses every other thread of this SIP until EndCollection (its GC runs alone).</summary>
        public void BeginCollection(Thread collector) => _collector = collector;

        public void EndCollection()
        {
            _collector = null;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            Thread t = _parked;
            _parked = null;
            while (t != null)
            {
                Thread next = t.Next;
                if (t.State != ThreadState.Dead) Scheduler.Unpark(t);
                t = next;
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }

        // ---- ending -------------------------------------------------------------------------

        /// <summary>Ends the SIP: kills its threads and returns all its memory. Safe from any thread.</summary>
        public void Terminate(SipState how, int exitCode, string reason)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            if (State != SipState.Running) { if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts(); return; }
            State = how;
            ExitCode = exitCode;
            FailureReason = reason;
            for (Thread t = Threads; t != null; t = t.NextInSip) Scheduler.Kill(t);
            _parked = null;
            _collector = null;
            LiveThreads = 0;
            for (int i = 0; i < _allocationCount; i++)
                PhysicalMemory.FreeContiguous(_allocations[i * 2], _allocations[i * 2 + 1]);
            _allocationCount = 0;
            HeapBytes = 0;
            for (int h = 1; h < MaxHandles; h++) if (_handles[h] != null) CloseHandle(h);
            for (Thread t = Threads; t != null; t = t.NextInSip) Channels.ChannelCalls.ReleasePins(t);
            // Nothing outside this record names its threads any more (handles closed, pins and
            // watches released, killed threads off every queue): their records go once reaped.
            _threadsReleased = true;
            for (Thread t = Threads, next; t != null; t = next) { next = t.NextInSip; if (t.Reaped) ForgetThread(t); }
            Channels.ExchangeHeap.ReclaimAll(this);
            Channels.NameService.ForgetDeadServices();
            Runtime.Allocator.Free(_handles);
            _handles = null;
            KernelHeap.Free(_allocations);
            _allocations = null;
            if (ImagePages != 0) PhysicalMemory.FreeContiguous(ImageBase, ImagePages);
            ImagePages = 0;
            if (StartInfo != null)
            {
                KernelHeap.Free(StartInfo->Name);
                KernelHeap.Free(StartInfo->Arguments);
                KernelHeap.Free(StartInfo);
                StartInfo = null;
            }
            Scheduler.WakeAll(ExitWaiters);
            if (how == SipState.Exited)
            {
                Log.Write("sip "); Log.Write(Name); Log.Write("#"); Log.WriteDecimal((ulong)Id);
                Log.Write(" exited with code "); Log.WriteDecimal((long)exitCode); Log.WriteLine();
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }

        /// <summary>
        /// The SIP failed. Logs `sip NAME#ID failed: REASON at METHOD`, then terminates it.
        /// <paramref name="rip"/> names the failing method when it lies in the SIP's image.
        /// </summary>
        public void Fail(string reason, ulong rip)
        {
            if (State != SipState.Running) return;
            // The line goes out whole (interrupts off), so other output cannot split it.
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            Log.Write("sip "); Log.Write(Name); Log.Write("#"); Log.WriteDecimal((ulong)Id);
            Log.Write(" failed: "); Log.Write(reason);
            if (rip != 0) { Log.Write(" at "); WriteLocation(rip); }
            Log.WriteLine();
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            Terminate(SipState.Failed, -1, reason);
        }

        /// <summary>Fail, then the stack trace: <paramref name="trace"/> holds return addresses, throw site first.</summary>
        public void Fail(string reason, ulong* trace, int count)
        {
            if (State != SipState.Running) return;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            Log.Write("sip "); Log.Write(Name); Log.Write("#"); Log.WriteDecimal((ulong)Id);
            Log.Write(" failed: "); Log.Write(reason);
            if (count > 0) { Log.Write(" at "); WriteLocation(trace[0]); }
            Log.WriteLine();
            for (int i = 0; i < count; i++)
            {
                Log.Write("    at "); WriteLocation(trace[i]); Log.WriteLine();
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            Terminate(SipState.Failed, -1, reason);
        }

        public void WriteLocation(ulong rip)
        {
            if (ContainsCode(rip))
            {
                byte* name = Elf.FindSymbol(rip - ImageBase + ImageLow, out ulong offset);
                if (name != null) { Log.WriteAscii(name, 512); Log.Write("+"); Log.WriteHex(offset, 4); return; }
            }
            else
            {
                // Not the SIP's code: kernel code running for it (inside an ABI call or an
                // interrupt). Say so; names alone do not tell the kernel's copy of the core
                // library from the SIP's.
                Log.Write("kernel:");
                if (Symbols.Lookup(rip, out ulong koff) != null) { Symbols.WriteSymbol(rip); return; }
            }
            Log.WriteHex(rip);
        }
    }
}
