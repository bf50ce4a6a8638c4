using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel.Processes
{
    internal enum SipState : byte { Running, Exited, Failed }

    /// <summary>
    /// A software-isolated process: its loaded image, its threads, the memory it was granted and
    /// the kernel objects it holds handles to. Everything the kernel holds for it is charged to its
    /// account (<see cref="SipAccount"/>, docs/accounting.md). Killing a SIP ends its threads, the
    /// SIPs it started, and returns every page it held; once its threads are reaped its record is
    /// freed too, and only its line in <see cref="SipExitLog"/> remains.
    /// </summary>
    internal sealed unsafe class Sip : ThreadOwner
    {
        public const ulong DefaultHeapQuota = 16UL * 1024 * 1024;
        private const int MaxHandles = 256;
        private const int MaxAllocations = 4096;

        private static int s_nextId = 1;

        public readonly int Id;
        /// <summary>Names it as a block's owner in exchange-block headers (ExchangeTags.cs): unique while its record exists.</summary>
        public uint ExchangeTag => (uint)(ExchangeKey >> Abi.ExchangeHeader.TagShift);
        /// <summary>Its tag where a header's check word carries it (tag &lt;&lt; TagShift): kept shifted, so each block handed to it costs one xor.</summary>
        public readonly ulong ExchangeKey;
        public readonly string Name;         // the record's own copies
        public readonly string Arguments;
        /// <summary>Running, then how it ended; Held's ended bit kept with it (the setter: no writer misses it).</summary>
        public SipState State
        {
            get => _state;
            private set { _state = value; Hold(HeldEnded, value != SipState.Running); }
        }
        private SipState _state;
        public int ExitCode;

        /// <summary>What the kernel holds on its behalf, against its grant.</summary>
        public readonly SipAccount Account;
        /// <summary>The SIP that started it (null for SIPs the kernel started); it ends with its parent.</summary>
        public Sip Parent;
        /// <summary>The record stays after the SIP ends (SIPs started at boot, which the kernel waits for).</summary>
        public bool KeepRecord;
        /// <summary>SipWait calls waiting on it or about to read its status: the record stays meanwhile.</summary>
        public int Waiters;
        private bool _recordFreed;
        /// <summary>Its main thread was started (SipList shows only SIPs that got that far).</summary>
        public bool Started;
        // What its record was charged (Charge.Record), given back whole when the record goes.
        private ulong _recordCharge;

        /// <summary>What an event or a mutex is charged (Charge.Events): a fixed bound, given back whole.</summary>
        public const ulong EventBytes = 256;
        public int ParentId;                 // the SIP that started it (0: the kernel), kept after its record goes; its process control reaches it (Grants)
        public int BindRefusalsLogged;       // NameService logs a SIP's first refused binds only: a SIP retrying in a loop cannot flood the kernel log

        // The loaded image (identity-mapped frames) and the boot module it came from.
        public ulong ImageBase, ImagePages, ImageLow;
        public ElfImage Elf;
        public ulong Entry;
        public ulong FaultEntry;             // the runtime's eh_throw_hw: CPU faults become exceptions
        public string[] StartupPaths;        // endpoints wired from the manifest, until the SIP takes them
        public int[] StartupHandles;
        public Abi.SipStartInfo* StartInfo;  // what the main thread was entered with; freed when the SIP ends

        // Heap pages granted through the ABI (charged as Charge.Heap), and the exchange blocks it owns.
        public ulong HeapQuota => Account.Quota.HeapBytes;
        public ulong HeapBytes;
        // The blocks it owns, counted and their lengths summed, in one word (SipAccount.Held: the
        // count above HeldShift, the bytes below): a block handed over on a channel is one subtract
        // from the sender's and one add to the receiver's.
        public ulong ExchangeHeld;
        public ulong ExchangeBytes => SipAccount.HeldBytes(ExchangeHeld);   // the blocks' lengths, as the SIP sees them
        public int ExchangeBlocks => (int)SipAccount.HeldBlocks(ExchangeHeld);
        private ulong* _allocations;         // pairs (address, pages); grows by doubling up to MaxAllocations
        private int _allocationCount;
        private int _allocationCapacity;
        // A new SIP's first table: most SIPs hold a few runs, and a full-size table would cost 64 KiB
        // of zeroing at every start (docs/benchmarks.md, "Where SIP create + start + exit goes").
        private const int InitialAllocations = 16;

        public Thread Threads;               // linked through NextInSip
        // Share (ThreadOwner): its CPU grant and the time its threads used (set by SipLoader).
        public int LiveThreads;
        // Never null: an ended SIP's is s_noHandles (empty), so a lookup needs only the length test
        // (GetHandle, the channel entries: ChannelCalls.SendEntry).
        private object[] _handles;
        // Initialised at compile time (a frozen object in the image, as Grants.InputNames): no
        // kernel-heap allocation, which would move what every SIP start allocates after it.
        private static readonly object[] s_noHandles = new object[0];
        private int _handlesHigh;            // above the highest slot ever used: Terminate closes only below it
        public readonly WaitQueue ExitWaiters = new WaitQueue();

        // Threads kept off the CPU while a collection runs (Collector, ThreadOwner's) or the SIP hangs.
        private Thread _parked;

        public Sip Next;                     // in the SIP table

        // PendingFault and Hung (injected faults), Collector and Share (its CPU grant) are ThreadOwner's: the scheduler reads them.

        private Sip(int id, uint exchangeTag, string name, string arguments, SipAccount account, Sip parent)
        {
            Id = id;
            ExchangeKey = (ulong)exchangeTag << Abi.ExchangeHeader.TagShift;
            Name = Copy(name);
            Arguments = Copy(arguments ?? "");
            Account = account;
            Parent = parent;
            ParentId = parent == null ? 0 : parent.Id;
            _handles = new object[MaxHandles];
            _allocations = (ulong*)KernelHeap.Allocate(InitialAllocations * 16);
            _allocationCapacity = InitialAllocations;
        }

        /// <summary>The kernel memory a SIP record takes (its object, name, arguments, handle and page tables), at most.</summary>
        private const ulong RecordBytesBound = MaxAllocations * 16 + 4096 + MaxHandles * 8 + 8192;

        /// <summary>
        /// A new SIP record under <paramref name="grant"/>, started by <paramref name="parent"/>
        /// (null: by the kernel), its record charged to its account; null with <paramref name="error"/>
        /// when the record does not fit the grant (its own, or an ancestor's) or memory.
        /// </summary>
        public static Sip Create(string name, string arguments, SipQuota grant, Sip parent, out string error)
        {
            error = null;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            var account = new SipAccount(s_nextId, parent?.Account, grant);
            Sip sip = null;
            uint tag = ExchangeTags.Take();
            if (tag == 0) error = "no exchange-block owner tag is free";
            else if (!account.Fits(Charge.Record, RecordBytesBound)) error = "its record does not fit the kernel memory granted";
            else if (!KernelReserve.AllowsSipGrant(RecordBytesBound)) error = "not enough memory for its record";
            else
            {
                ulong mark = KernelHeap.BytesInUse;
                sip = new Sip(s_nextId++, tag, name, arguments, account, parent);
                sip.ChargeRecord(KernelHeap.BytesInUse - mark);
                account.Sip = sip;
                SipTable.Add(sip);
            }
            if (sip == null) account.End();
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return sip;
        }

        /// <summary>Kernel memory made for the record (its start-up data, tables); given back when the record goes. Interrupts off.</summary>
        public void ChargeRecord(ulong bytes)
        {
            Account.Force(Charge.Record, bytes);
            _recordCharge += bytes;
        }

        private static string Copy(string s)
        {
            fixed (char* p = s) return string.FromChars(p, s.Length);
        }

        public bool IsAlive => State == SipState.Running;

        public bool ContainsCode(ulong address) =>
            address >= ImageBase && address < ImageBase + ImagePages * PhysicalMemory.PageSize;

        // ---- memory -------------------------------------------------------------------------

        /// <summary>
        /// Zeroed pages for the SIP's heap, or 0 when its heap grant (or an ancestor's) or memory
        /// (less the kernel's reserve) is exhausted. Interrupts off throughout: two threads of the
        /// SIP cannot both pass the quota.
        /// </summary>
        public ulong AllocatePages(ulong pages)
        {
            // Checked: pages * PageSize must not wrap past the quota test.
            if (pages == 0 || pages > HeapQuota / PhysicalMemory.PageSize) return 0;
            ulong bytes = pages * PhysicalMemory.PageSize;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            ulong mem = 0;
            if (_allocations != null && _allocationCount < MaxAllocations && RoomForAllocation()
                && KernelReserve.AllowsSipGrant(bytes) && Account.TryCharge(Charge.Heap, bytes))
            {
                mem = PhysicalMemory.AllocateContiguous(pages);
                if (mem == 0) Account.Release(Charge.Heap, bytes);
                else
                {
                    _allocations[_allocationCount * 2] = mem;
                    _allocations[_allocationCount * 2 + 1] = pages;
                    _allocationCount++;
                    HeapBytes += bytes;
                }
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return mem;
        }

        // The table has a free pair, grown (doubled, charged to the record) when full; false when
        // the kernel heap cannot give the larger table. Interrupts off.
        private bool RoomForAllocation()
        {
            if (_allocationCount < _allocationCapacity) return true;
            int capacity = _allocationCapacity * 2;
            if (capacity > MaxAllocations) capacity = MaxAllocations;
            ulong mark = KernelHeap.BytesInUse;
            var table = (ulong*)KernelHeap.TryAllocate((ulong)capacity * 16);
            if (table == null) return false;
            for (int i = 0; i < _allocationCount * 2; i++) table[i] = _allocations[i];
            KernelHeap.Free(_allocations);
            _allocations = table;
            _allocationCapacity = capacity;
            // Within RecordBytesBound, checked when the record was made; given back with the record.
            ChargeRecord(KernelHeap.BytesInUse - mark);
            return true;
        }

        /// <summary>Returns pages given by AllocatePages. False if the SIP does not hold exactly that range.</summary>
        public bool FreePages(ulong address, ulong pages)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            bool found = false;
            for (int i = 0; _allocations != null && i < _allocationCount; i++)
            {
                if (_allocations[i * 2] != address || _allocations[i * 2 + 1] != pages) continue;
                PhysicalMemory.FreeContiguous(address, pages);
                HeapBytes -= pages * PhysicalMemory.PageSize;
                Account.Release(Charge.Heap, pages * PhysicalMemory.PageSize);
                _allocationCount--;
                _allocations[i * 2] = _allocations[_allocationCount * 2];
                _allocations[i * 2 + 1] = _allocations[_allocationCount * 2 + 1];
                found = true;
                break;
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return found;
        }

        // ---- handles ------------------------------------------------------------------------

        /// <summary>
        /// Changes with every change of the handle table (a handle added, closed or taken; never 0):
        /// a receive set looked up under one version names the same endpoints while it holds
        /// (ChannelCalls.LookUp). An endpoint leaves this SIP (closed, or carried away) only with its
        /// handle, so an unchanged table also means the endpoints it names are still open and this SIP's.
        /// </summary>
        public ulong HandleVersion = 1;

        public int AddHandle(object o)
        {
            object[] t = _handles;
            for (int i = 1; i < t.Length; i++)
                if (t[i] == null)
                {
                    HandleVersion++;
                    t[i] = o;
                    if (i >= _handlesHigh) _handlesHigh = i + 1;
                    return i;
                }
            return -1;
        }

        /// <summary>Whether AddHandle would succeed now.</summary>
        public bool HasFreeHandle => HasFreeHandles(1);

        /// <summary>Whether <paramref name="n"/> AddHandle calls would succeed now.</summary>
        public bool HasFreeHandles(int n)
        {
            object[] t = _handles;
            for (int i = 1; i < t.Length && n > 0; i++) if (t[i] == null) n--;
            return n <= 0;
        }

        /// <summary>
        /// Adds an event or mutex made for the SIP, charged to it; -1 (and the object freed) when
        /// its kernel grant or its handle table is full. Interrupts off.
        /// </summary>
        public int AddChargedHandle(object o)
        {
            int h = -1;
            if (Account.TryCharge(Charge.Events, EventBytes))
            {
                h = AddHandle(o);
                if (h < 0) Account.Release(Charge.Events, EventBytes);
            }
            if (h < 0)
            {
                if (o is Event ev) ev.FreeRecord();
                else if (o is Mutex m) m.FreeRecord();
            }
            return h;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        // One unsigned compare with the table's length (MaxHandles) takes out negative handles too,
        // and lets the compiler drop the array's own bounds check; handle 0 needs no test of its
        // own: AddHandle never fills slot 0, so it names nothing. The table is never null (an
        // ended SIP's is empty). Every channel entry pays this.
        public object GetHandle(int h)
        {
            object[] t = _handles;
            return (uint)h < (uint)t.Length ? t[h] : null;
        }

        /// <summary>
        /// The handle table itself, never null (an ended SIP's is empty): the channel entries test a
        /// handle against it as branches to their failure (ChannelCalls.SendOff), GetHandle's test
        /// without a null answer to test again. Read only.
        /// </summary>
        public object[] Handles
        {
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
            get => _handles;
        }

        public bool CloseHandle(int h)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            object o = GetHandle(h);
            if (o != null)
            {
                HandleVersion++;
                _handles[h] = null;
                // An endpoint closes (its peer still refers to it); events and mutexes die with
                // the handle; a thread's record goes once the thread has ended and been reaped.
                if (o is HandleObject e) e.OnHandleClosed();
                else if (o is Event ev) { ev.FreeRecord(); Account.Release(Charge.Events, EventBytes); }
                else if (o is Mutex m) { m.FreeRecord(); Account.Release(Charge.Events, EventBytes); }
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
            if (o != null) { HandleVersion++; _handles[h] = null; }
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
        public override void OnThreadReaped(Thread t)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            t.Reaped = true;
            if ((t.Detached && t.Exited) || _threadsReleased) ForgetThread(t);
            TryFreeRecord();
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }

        // Unlinks and frees a dead thread's record, and gives back its charge. Interrupts off.
        private void ForgetThread(Thread t)
        {
            if (Threads == t) Threads = t.NextInSip;
            else
                for (Thread p = Threads; p != null; p = p.NextInSip)
                    if (p.NextInSip == t) { p.NextInSip = t.NextInSip; break; }
            ulong charged = t.RecordCharge;
            t.FreeRecord();
            Account.Release(Charge.Threads, charged);
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
        public override void OnThreadExit(Thread t)
        {
            LiveThreads--;
            if (Collector == t) EndCollection();
            // The SIP ends when its last thread does, with that thread's exit code.
            if (LiveThreads == 0 && State == SipState.Running) Terminate(SipState.Exited, t.ExitCode, null);
        }

        public override bool MayRun(Thread t) => !Hung && (Collector == null || Collector == t || State != SipState.Running);

        public override void Park(Thread t)
        {
            t.Next = _parked;
            _parked = t;
        }

        /// <summary>Pauses every other thread of this SIP until EndCollection (its GC runs alone).</summary>
        public override void ReleaseStacks(ulong bytes) => Account.Release(Charge.Stacks, bytes);

        /// <summary>The SIP a thread belongs to; null for kernel threads.</summary>
        public static Sip Of(Thread t) => (Sip)t.Owner;

        public void BeginCollection(Thread collector) => Collector = collector;

        public void EndCollection()
        {
            Collector = null;
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

        /// <summary>
        /// Ends the SIP: kills its threads and the SIPs it started, returns all its memory and gives
        /// back every charge but those of what outlives it (blocks it sent that are still queued,
        /// channels whose other end lives on). Safe from any thread. <paramref name="reason"/> is
        /// not kept (Fail has logged it).
        /// </summary>
        public void Terminate(SipState how, int exitCode, string reason)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            if (State != SipState.Running) { if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts(); return; }
            State = how;
            ExitCode = exitCode;
            SipExitLog.Record(this);
            // A driver's device stops (bus mastering, interrupts) before any memory it may reach is reclaimed.
            SipEndHooks.Run(SipEndStep.Quiesce, this);
            // Its names go now, while its record surely exists (the name table names their holders).
            SipEndHooks.Run(SipEndStep.Ending, this);
            for (Thread t = Threads; t != null; t = t.NextInSip) Scheduler.Kill(t);
            _parked = null;
            Collector = null;
            LiveThreads = 0;
            for (int i = 0; i < _allocationCount; i++)
                PhysicalMemory.FreeContiguous(_allocations[i * 2], _allocations[i * 2 + 1]);
            _allocationCount = 0;
            Account.Release(Charge.Heap, HeapBytes);
            HeapBytes = 0;
            for (int h = 1; h < _handlesHigh; h++) if (_handles[h] != null) CloseHandle(h);
            SipEndHooks.Run(SipEndStep.HandlesClosed, this);
            // Nothing outside this record names its threads any more (handles closed, pins and
            // watches released, killed threads off every queue): their records go once reaped.
            _threadsReleased = true;
            for (Thread t = Threads, next; t != null; t = next) { next = t.NextInSip; if (t.Reaped) ForgetThread(t); }
            SipEndHooks.Run(SipEndStep.ThreadsReleased, this);
            // The parts of the record only a running SIP needs (their charge goes with the record).
            Allocator.Free(_handles);
            _handles = s_noHandles;
            HandleVersion++;
            KernelHeap.Free(_allocations);
            _allocations = null;
            if (StartInfo != null)
            {
                KernelHeap.Free(StartInfo->Name);
                KernelHeap.Free(StartInfo->Arguments);
                KernelHeap.Free(StartInfo);
                StartInfo = null;
            }
            FreeStartupEndpoints();
            if (ImagePages != 0)
            {
                PhysicalMemory.FreeContiguous(ImageBase, ImagePages);
                Account.Release(Charge.Image, ImagePages * PhysicalMemory.PageSize);
            }
            ImagePages = 0;
            EndChildren();
            Scheduler.WakeAll(ExitWaiters);
            if (how == SipState.Exited)
            {
                Log.Write("sip "); Log.Write(Name); Log.Write("#"); Log.WriteDecimal((ulong)Id);
                Log.Write(" exited with code "); Log.WriteDecimal((long)exitCode); Log.WriteLine();
            }
            TryFreeRecord();
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }

        private static bool s_endingChildren;

        // The SIPs this one started (and theirs) end with it: they ran on its grant. One at a time
        // from the outermost Terminate, so a deep tree costs no kernel stack. Interrupts off.
        private static void EndChildren()
        {
            if (s_endingChildren) return;
            s_endingChildren = true;
            while (true)
            {
                Sip orphan = null;
                for (Sip s = SipTable.First; s != null && orphan == null; s = s.Next)
                    if (s.IsAlive && s.Parent != null && !s.Parent.IsAlive) orphan = s;
                if (orphan == null) break;
                char* text = stackalloc char[96];
                int n = 0;
                Text.Append(text, 96, ref n, "its parent ");
                Text.Append(text, 96, ref n, orphan.Parent.Name);
                Text.Append(text, 96, ref n, "#");
                Text.Append(text, 96, ref n, (ulong)orphan.Parent.Id);
                Text.Append(text, 96, ref n, " ended");
                string reason = string.FromChars(text, n);
                orphan.Fail(reason, 0);
                Allocator.Free(reason);
            }
            s_endingChildren = false;
        }

        /// <summary>
        /// Frees the record of an ended SIP once nothing names it: its threads are all forgotten,
        /// no SipWait is reading it, the kernel does not keep it. Its exit status stays in
        /// SipExitLog; its account goes once nothing else is charged to it. Interrupts off.
        /// </summary>
        // The paths and handles the loader wired for the SIP to take (Loader/StartupEndpoints.cs).
        private void FreeStartupEndpoints()
        {
            if (StartupPaths == null) return;
            for (int i = 0; i < StartupPaths.Length; i++) Allocator.Free(StartupPaths[i]);
            Allocator.Free(StartupPaths);
            Allocator.Free(StartupHandles);
            StartupPaths = null;
            StartupHandles = null;
        }

        public void TryFreeRecord()
        {
            if (_recordFreed || State == SipState.Running || Threads != null || Waiters != 0 || KeepRecord) return;
            _recordFreed = true;
            SipTable.Remove(this);
            for (Sip s = SipTable.First; s != null; s = s.Next) if (s.Parent == this) s.Parent = null;
            SipEndHooks.Run(SipEndStep.RecordFreed, this);
            SipAccount account = Account;
            ulong charged = _recordCharge;
            if (Name.Length != 0) Allocator.Free(Name);            // "" is static
            if (Arguments.Length != 0) Allocator.Free(Arguments);
            Allocator.Free(ExitWaiters);
            // No thread of it is left (Threads == null), so none is queued on its share.
            if (Share != null) Share.FreeRecord();
            Allocator.Free(this);
            account.Release(Charge.Record, charged);
            account.End();
        }

        /// <summary>
        /// The SIP failed. Logs `sip NAME#ID failed: REASON at METHOD`, then terminates it.
        /// <paramref name="rip"/> names the failing method when it lies in the SIP's image.
        /// </summary>
        public void Fail(string reason, ulong rip)
        {
            // The line goes out whole (interrupts off), so other output cannot split it; and the
            // SIP cannot end (and its record go) between the check and the end.
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            if (State == SipState.Running)
            {
                Log.Write("sip "); Log.Write(Name); Log.Write("#"); Log.WriteDecimal((ulong)Id);
                Log.Write(" failed: "); Log.Write(reason);
                if (rip != 0) { Log.Write(" at "); WriteLocation(rip); }
                Log.WriteLine();
                Terminate(SipState.Failed, -1, reason);
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }

        /// <summary>Fail, then the stack trace: <paramref name="trace"/> holds return addresses, throw site first.</summary>
        public void Fail(string reason, ulong* trace, int count)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            if (State == SipState.Running)
            {
                Log.Write("sip "); Log.Write(Name); Log.Write("#"); Log.WriteDecimal((ulong)Id);
                Log.Write(" failed: "); Log.Write(reason);
                if (count > 0) { Log.Write(" at "); WriteLocation(trace[0]); }
                Log.WriteLine();
                for (int i = 0; i < count; i++)
                {
                    Log.Write("    at "); WriteLocation(trace[i]); Log.WriteLine();
                }
                Terminate(SipState.Failed, -1, reason);
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
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
