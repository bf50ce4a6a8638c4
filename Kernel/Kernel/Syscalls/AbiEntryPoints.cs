using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Processes;
using Singularity.Kernel.Loader;

namespace Singularity.Kernel.Syscalls
{
    /// <summary>
    /// The kernel's implementation of the ABI entry points, and the table SIPs receive. The table
    /// points at stubs (Arch/x64/entry.asm) that run each of these on the calling thread's kernel
    /// stack, never on the SIP's stack.
    /// </summary>
    internal static unsafe class AbiEntryPoints
    {
        private static KernelAbi* s_table;

        public static KernelAbi* Table => s_table;

        public static void Initialize()
        {
            s_table = (KernelAbi*)Memory.KernelHeap.Allocate((ulong)sizeof(KernelAbi));
            KernelAbi* t = s_table;
            t->Magic = KernelAbi.MagicValue;
            t->Version = KernelAbi.CurrentVersion;
            t->FunctionCount = KernelAbi.Count;
            t->DebugWrite = &AbiDebugWrite;
            t->ExitProcess = &AbiExitProcess;
            t->FailProcess = &AbiFailProcess;
            t->AllocatePages = &AbiAllocatePages;
            t->FreePages = &AbiFreePages;
            t->Yield = &AbiYield;
            t->Sleep = &AbiSleep;
            t->MonotonicNs = &AbiMonotonicNs;
            t->CreateThread = &AbiCreateThread;
            t->ExitThread = &AbiExitThread;
            t->Wait = &AbiWait;
            t->CreateEvent = &AbiCreateEvent;
            t->SetEvent = &AbiSetEvent;
            t->ResetEvent = &AbiResetEvent;
            t->CreateMutex = &AbiCreateMutex;
            t->ReleaseMutex = &AbiReleaseMutex;
            t->CloseHandle = &AbiCloseHandle;
            t->BeginCollection = &AbiBeginCollection;
            t->GetStackRanges = &AbiGetStackRanges;
            t->EndCollection = &AbiEndCollection;
            t->CurrentThreadId = &AbiCurrentThreadId;
            t->HeapBytes = &AbiHeapBytes;
            t->SetThreadPriority = &AbiSetThreadPriority;
            t->ExAllocate = &AbiExAllocate;
            t->ExFree = &AbiExFree;
            t->ExAccess = &AbiExAccess;
            t->ChannelCreate = &AbiChannelCreate;
            t->ChannelSend = &AbiChannelSend;
            t->ChannelReceive = &AbiChannelReceive;
            t->ChannelSelect = &AbiChannelSelect;
            t->ChannelClose = &AbiChannelClose;
            t->NameRegister = &AbiNameRegister;
            t->NameBind = &AbiNameBind;
            t->ExchangeBytes = &AbiExchangeBytes;
            t->SipStart = &AbiSipStart;
            t->SipWait = &AbiSipWait;
            t->SipKill = &AbiSipKill;
            t->ConsoleRead = &AbiConsoleRead;
            t->SipList = &AbiSipList;
            t->GetMemoryInfo = &AbiGetMemoryInfo;
            t->FailProcessWithTrace = &AbiFailProcessWithTrace;
            t->SetFaultEntry = &AbiSetFaultEntry;
            t->TakeStartupEndpoint = &AbiTakeStartupEndpoint;
            // Every entry goes through its stub: the table's function pointers follow the header.
            KernelEntry.WrapAbiEntries((ulong*)&t->DebugWrite, KernelAbi.Count);
        }

        private static Sip Caller => Scheduler.Current.Owner;

        // One call's text goes out whole: another thread's output cannot land inside it (the
        // runtime writes at most 256 bytes per call, so interrupts stay off only briefly).
        private static void AbiDebugWrite(byte* text, int length)
        {
            if (length < 0 || length > 4096) return;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            for (int i = 0; i < length; i++) Log.WriteChar((char)text[i]);
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }

        // The calling thread ends its own SIP: interrupts stay off from Terminate (which marks it
        // dead) to LeaveDeadThread (which queues its stack for freeing); a tick in between would
        // switch away from a dead thread for good and lose its stack.
        private static void AbiExitProcess(int code)
        {
            Sip sip = Caller;
            Cpu.DisableInterrupts();
            sip.Terminate(SipState.Exited, code, null);
            Scheduler.LeaveDeadThread();
        }

        private static void AbiFailProcess(byte* message, int length, ulong rip)
        {
            Sip sip = Caller;
            string reason = string.FromAscii(message, length < 0 ? 0 : length > 1024 ? 1024 : length);
            Cpu.DisableInterrupts();
            sip.Fail(reason, rip);
            if (reason.Length != 0) Allocator.Free(reason);     // logged; not kept
            Scheduler.LeaveDeadThread();
        }

        private static void AbiFailProcessWithTrace(byte* message, int length, ulong* trace, int count)
        {
            Sip sip = Caller;
            string reason = string.FromAscii(message, length < 0 ? 0 : length > 1024 ? 1024 : length);
            Cpu.DisableInterrupts();
            sip.Fail(reason, trace, count < 0 ? 0 : count > 32 ? 32 : count);
            if (reason.Length != 0) Allocator.Free(reason);     // logged; not kept
            Scheduler.LeaveDeadThread();
        }

        // Only an address inside the SIP's own code: the kernel will jump there on a fault.
        private static void AbiSetFaultEntry(ulong entry)
        {
            Sip sip = Caller;
            if (sip.ContainsCode(entry)) sip.FaultEntry = entry;
        }

        private static int AbiTakeStartupEndpoint(byte* path, int length) =>
            length <= 0 || length > 128 ? -1 : StartupEndpoints.Take(Caller, path, length);

        private static ulong AbiAllocatePages(ulong pages) => Caller.AllocatePages(pages);

        private static int AbiFreePages(ulong address, ulong pages) => Caller.FreePages(address, pages) ? 1 : 0;

        private static void AbiYield() => Scheduler.Yield();

        private static void AbiSleep(ulong ns) => Scheduler.Sleep(ns);

        private static ulong AbiMonotonicNs() => Clock.MonotonicNs;

        private static int AbiCreateThread(ulong entry, ulong argument)
        {
            Sip sip = Caller;
            if (!sip.ContainsCode(entry)) return -1;
            // The cap keeps every thread's stack within reach of the SIP's collector (GetStackRanges);
            // its grant may allow fewer.
            if (sip.LiveThreads >= SipLimits.MaxThreads || (ulong)sip.LiveThreads >= sip.Account.Quota.Threads) return SipLimits.ThreadLimitReached;
            // A handle to give back, and stacks that do not come out of the kernel's reserve.
            if (!sip.HasFreeHandle || !KernelReserve.AllowsSipGrant(Thread.StackBytesPerSipThread)) return -1;
            // Interrupts off from the liveness check to the start: another thread of the SIP may be
            // killing it, and a thread made after Terminate ran would outlive its SIP's record.
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int h = -1;
            Thread t = sip.IsAlive ? SipLoader.CreateSipThread(sip, entry, argument) : null;
            if (t != null)
            {
                h = sip.AddHandle(t);
                if (h < 0) sip.ForgetUnstartedThread(t);                // it never ran: it does not count against the cap
                else Scheduler.Start(t);
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return h;
        }

        private static void AbiExitThread(int code) => Scheduler.Exit(code);

        // The handle is looked up and used with interrupts off: another thread of the SIP may
        // close it (a thread's record can then be freed).
        private static int AbiWait(int handle, ulong timeoutNs)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            object o = Caller.GetHandle(handle);
            int result = -1;
            if (o is Event e) result = e.Wait(timeoutNs) ? 1 : 0;
            else if (o is Mutex m) result = m.Acquire(timeoutNs) ? 1 : 0;
            else if (o is Thread t) result = t.State == ThreadState.Dead || Scheduler.Block(t.Joiners, timeoutNs) ? 1 : 0;
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return result;
        }

        // Events and mutexes are charged to the SIP (Charge.Events): refused beyond its kernel grant.
        private static int AbiCreateEvent(int manualReset, int signaled)
        {
            Sip sip = Caller;
            if (!sip.HasFreeHandle || !sip.Account.Fits(Charge.Events, Sip.EventBytes)) return -1;
            return sip.AddChargedHandle(new Event(manualReset != 0, signaled != 0));
        }

        private static int AbiSetEvent(int handle)
        {
            if (!(Caller.GetHandle(handle) is Event e)) return -1;
            e.Set();
            return 0;
        }

        private static int AbiResetEvent(int handle)
        {
            if (!(Caller.GetHandle(handle) is Event e)) return -1;
            e.Reset();
            return 0;
        }

        private static int AbiCreateMutex()
        {
            Sip sip = Caller;
            if (!sip.HasFreeHandle || !sip.Account.Fits(Charge.Events, Sip.EventBytes)) return -1;
            return sip.AddChargedHandle(new Mutex());
        }

        private static int AbiReleaseMutex(int handle) =>
            Caller.GetHandle(handle) is Mutex m ? (m.Release() ? 0 : -2) : -1;

        private static int AbiCloseHandle(int handle) => Caller.CloseHandle(handle) ? 0 : -1;

        private static void AbiBeginCollection() => Caller.BeginCollection(Scheduler.Current);

        private static void AbiEndCollection() => Caller.EndCollection();

        /// <summary>
        /// The calling SIP's stacks, for its collector: fills up to <paramref name="max"/> (low, high)
        /// pairs and returns how many ranges there are in all (more than max means the list is
        /// partial and must not be used). First the caller's SIP stack from its stack pointer at this
        /// call; then for each other live thread that has run SIP code, the used part of its SIP stack
        /// (from its stack pointer when it entered the kernel) and the part of its kernel stack above
        /// its saved stack pointer, which holds its registers (the interrupt frame, or what the kernel
        /// code it called saved of them). Threads that never ran SIP code hold no SIP references.
        /// </summary>
        private static int AbiGetStackRanges(ulong* pairs, int max)
        {
            Thread me = Scheduler.Current;
            if (max < 0) max = 0;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();        // the list changes as threads end and are forgotten
            int n = 0;
            AddRange(pairs, max, ref n, SipStackPointer(me), me.SipStackTop);
            for (Thread t = me.Owner.Threads; t != null; t = t.NextInSip)
            {
                if (t == me || t.State == ThreadState.Dead || t.AbiSlot == 0) continue;
                AddRange(pairs, max, ref n, SipStackPointer(t), t.SipStackTop);
                ulong saved = t.SavedRsp, top = t.AbiSlot + 16;
                if (saved < t.KernelStackBase || saved > top) saved = t.KernelStackBase;
                AddRange(pairs, max, ref n, saved, top);
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return n;
        }

        // The SIP's stack pointer when the thread entered the kernel, kept in its ABI slot
        // (entry.asm); the whole stack if that word is not on the stack (it always should be).
        private static ulong SipStackPointer(Thread t)
        {
            ulong rsp = *(ulong*)t.AbiSlot;
            return rsp >= t.SipStackBase && rsp <= t.SipStackTop ? rsp : t.SipStackBase;
        }

        private static void AddRange(ulong* pairs, int max, ref int n, ulong low, ulong high)
        {
            if (n < max)
            {
                pairs[n * 2] = low;
                pairs[n * 2 + 1] = high;
            }
            n++;
        }

        private static int AbiCurrentThreadId() => Scheduler.Current.Id;

        private static ulong AbiHeapBytes() => Caller.HeapBytes;

        private static ulong AbiExAllocate(ulong length) => Ipc.ExchangeHeap.Allocate(Caller, length);

        private static int AbiExFree(ulong handle) => Ipc.ExchangeHeap.Free(handle, Caller.Id, Caller) ? 0 : -1;

        // The block's address and length if the caller owns it. Only the runtime's exchange guard
        // calls this, and it keeps the SIP from freeing or sending the block while the address is in use.
        private static ulong AbiExAccess(ulong handle, ulong* length) => (ulong)Ipc.ExchangeHeap.Access(Caller.Id, handle, out *length);

        private static int AbiChannelCreate(int* imp, int* exp) => Ipc.ChannelCalls.Create(Caller, imp, exp);

        private static int AbiChannelSend(int endpoint, ChannelMessage* m, ulong timeoutNs) => Ipc.ChannelCalls.Send(Caller, endpoint, m, timeoutNs);

        private static int AbiChannelReceive(int endpoint, ChannelMessage* m, ulong timeoutNs) => Ipc.ChannelCalls.Receive(Caller, endpoint, m, timeoutNs);

        private static int AbiChannelSelect(int* endpoints, int count, ulong timeoutNs) => Ipc.ChannelCalls.Select(Caller, endpoints, count, timeoutNs);

        private static int AbiChannelClose(int endpoint) => Ipc.ChannelCalls.Close(Caller, endpoint);

        // Names are compared in place: a lookup costs the kernel no memory that could pile up.
        private static int AbiNameRegister(byte* name, int length, int listener) =>
            Ipc.NameService.Register(Caller, name, length, listener);

        private static int AbiNameBind(byte* name, int length, int* endpoint) =>
            Ipc.NameService.Bind(Caller, name, length, endpoint);

        private static ulong AbiExchangeBytes() => Caller.ExchangeBytes;

        // Starts another instance of a boot module (the supervisor's and the shell's `start`).
        // Process control needs the `processes` grant (Grants, docs/security.md); a SIP without it
        // gets NotPermitted from every call, before any of its arguments is read.
        private const int NotPermitted = KernelAbi.NotPermitted;

        private static int AbiSipStart(byte* name, int nameLength, byte* args, int argsLength)
        {
            if (!Grants.Has(Caller, Grants.Processes)) return NotPermitted;
            if (nameLength <= 0 || nameLength > 64 || argsLength < 0 || argsLength > 1024) return -1;
            string n = string.FromAscii(name, nameLength);
            if (!BootModules.Find(n, out byte* image, out ulong size))
            {
                Allocator.Free(n);
                return -2;
            }
            // The image copy and the main thread's stack must not come out of the kernel's reserve.
            if (!KernelReserve.AllowsSipGrant(size + Thread.StackBytesPerSipThread + 64 * 1024))
            {
                Allocator.Free(n);
                return -3;
            }
            string a = string.FromAscii(args, argsLength);
            // Interrupts off from the start to the log line (as the debug console's `start`): the
            // caller cannot be killed half-way (its children end with it, and a child still being
            // made would be missed), and the child cannot run, end and be freed before it is named.
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            Sip parent = Caller;
            // The child runs on the caller's grant: everything it holds counts against the caller's too;
            // it gets its parent's CPU grant: no SIP hands out more than it holds.
            Sip sip = null;
            string error = "its parent has ended";
            if (parent.IsAlive) sip = SipLoader.Start(n, a, image, size, parent.Account.Quota, parent.Share.Grant, parent, out error);
            if (a.Length != 0) Allocator.Free(a);       // the SIP has its own copy ("" is static)
            ulong whole = Log.BeginLine();
            if (sip == null) { Log.Write("sip "); Log.Write(n); Log.Write(" not started: "); Log.WriteLine(error); }
            else
            {
                Log.Write("sip "); Log.Write(n); Log.Write("#"); Log.WriteDecimal((ulong)sip.Id); Log.Write(" started by ");
                Log.Write(Caller.Name); Log.Write("#"); Log.WriteDecimal((ulong)Caller.Id); Log.WriteLine();
            }
            Log.EndLine(whole);
            int id = sip == null ? -3 : sip.Id;
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            Allocator.Free(n);
            return id;
        }

        private static int AbiSipWait(int id, ulong timeoutNs, int* exitCode)
        {
            // Interrupts off throughout: the record of an ended SIP is freed once nothing names it
            // (Waiters keeps it while this call blocks); after that its status is in SipExitLog.
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int result = -1;
            Sip sip = SipTable.Find(id);
            if (sip != null && !Grants.MayControl(Caller, sip)) result = NotPermitted;
            else if (sip != null)
            {
                sip.Waiters++;
                if (sip.IsAlive) Scheduler.Block(sip.ExitWaiters, timeoutNs);
                result = sip.IsAlive ? 0 : sip.State == SipState.Exited ? 1 : 2;
                if (result != 0) *exitCode = sip.ExitCode;
                sip.Waiters--;
                sip.TryFreeRecord();
            }
            else
            {
                // Its record is gone: what it ended with, for the SIP that started it (or `processes all`).
                int k = SipExitLog.Find(id);
                if (k >= 0 && !Grants.MayControl(Caller, SipExitLog.ParentAt(k))) result = NotPermitted;
                else if (k >= 0)
                {
                    result = SipExitLog.StateAt(k) == SipState.Exited ? 1 : 2;
                    *exitCode = SipExitLog.ExitCodeAt(k);
                }
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return result;
        }

        private static int AbiConsoleRead(byte* buffer, int max, ulong timeoutNs) =>
            IO.SerialInput.Read(Caller, buffer, max, timeoutNs);

        // The SIPs the caller may control (its children, or all with `processes all`), and itself.
        private static int AbiSipList(SipInfo* buffer, int max)
        {
            Sip caller = Caller;
            if (!Grants.Has(caller, Grants.Processes)) return NotPermitted;
            int n = 0;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();            // records are freed as SIPs end
            for (Sip s = SipTable.First; s != null && n < max; s = s.Next)
            {
                if (!s.Started) continue;
                if (s != caller && !Grants.MayControl(caller, s)) continue;
                SipInfo* i = buffer + n;
                i->Id = s.Id;
                i->State = s.State == SipState.Running ? 0 : s.State == SipState.Exited ? 1 : 2;
                i->Threads = s.LiveThreads;
                i->ExitCode = s.ExitCode;
                i->HeapBytes = s.HeapBytes;
                i->HeapQuota = s.HeapQuota;
                i->ExchangeBytes = s.ExchangeBytes;
                int k = 0;
                for (; k < s.Name.Length && k < SipInfo.NameLength - 1; k++) i->Name[k] = (byte)s.Name[k];
                i->Name[k] = 0;
                n++;
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return n;
        }

        private static void AbiGetMemoryInfo(MemoryInfo* info) => Console.DebugConsole.FillMemoryInfo(info);

        private static int AbiSipKill(int id)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();            // the record cannot go between the look-up and the kill
            Sip sip = SipTable.Find(id);
            int result = 0;
            if (!Grants.Has(Caller, Grants.Processes)) result = NotPermitted;
            else if (sip == null || !sip.IsAlive) result = -1;
            else if (sip == Caller) result = -2;
            else if (!Grants.MayControl(Caller, sip)) result = NotPermitted;
            else
            {
                char* text = stackalloc char[96];
                int n = 0;
                Text.Append(text, 96, ref n, "killed by ");
                Text.Append(text, 96, ref n, Caller.Name);
                Text.Append(text, 96, ref n, "#");
                Text.Append(text, 96, ref n, (ulong)Caller.Id);
                string reason = string.FromChars(text, n);
                sip.Fail(reason, 0);
                Allocator.Free(reason);
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return result;
        }

        // A SIP's priorities are granted, not chosen: from Low up to its grant (Normal by default;
        // the system manifest or its parent may grant High or only Low), so no SIP can starve the others.
        private static int AbiSetThreadPriority(int handle, int priority)
        {
            if (!Caller.Share.Grant.Allows(priority)) return -2;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            Thread t = handle == 0 ? Scheduler.Current : Caller.GetHandle(handle) as Thread;
            int result = -1;
            if (t != null && t.Owner == Caller)
            {
                Scheduler.SetPriority(t, (ThreadPriority)priority);
                result = 0;
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return result;
        }
    }
}
