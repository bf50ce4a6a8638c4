using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel
{
    /// <summary>The kernel's implementation of the ABI entry points, and the table SIPs receive.</summary>
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
            t->ExRead = &AbiExRead;
            t->ExWrite = &AbiExWrite;
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
            Scheduler.LeaveDeadThread();
        }

        private static void AbiFailProcessWithTrace(byte* message, int length, ulong* trace, int count)
        {
            Sip sip = Caller;
            string reason = string.FromAscii(message, length < 0 ? 0 : length > 1024 ? 1024 : length);
            Cpu.DisableInterrupts();
            sip.Fail(reason, trace, count < 0 ? 0 : count > 32 ? 32 : count);
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
            // A handle to give back, and a stack that does not come out of the kernel's reserve.
            if (!sip.HasFreeHandle || !KernelReserve.AllowsSipGrant(Thread.DefaultStackSize + PhysicalMemory.PageSize)) return -1;
            Thread t = SipLoader.CreateSipThread(sip, entry, argument);
            if (t == null) return -1;
            int h = sip.AddHandle(t);
            if (h < 0) { sip.ForgetUnstartedThread(t); return -1; }
            Scheduler.Start(t);
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

        private static int AbiCreateEvent(int manualReset, int signaled) => Caller.AddHandle(new Event(manualReset != 0, signaled != 0));

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

        private static int AbiCreateMutex() => Caller.AddHandle(new Mutex());

        private static int AbiReleaseMutex(int handle) =>
            Caller.GetHandle(handle) is Mutex m ? (m.Release() ? 0 : -2) : -1;

        private static int AbiCloseHandle(int handle) => Caller.CloseHandle(handle) ? 0 : -1;

        private static void AbiBeginCollection() => Caller.BeginCollection(Scheduler.Current);

        private static void AbiEndCollection() => Caller.EndCollection();

        /// <summary>
        /// Fills (low, high) pairs, one per live thread of the calling SIP: the part of each stack
        /// in use. A thread not running has all its registers saved on its stack, so scanning the
        /// range covers them. Returns the number of pairs written.
        /// </summary>
        private static int AbiGetStackRanges(ulong* pairs, int max)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();        // the list changes as threads end and are forgotten
            Thread me = Scheduler.Current;
            int n = 0;
            for (Thread t = me.Owner.Threads; t != null && n < max; t = t.NextInSip)
            {
                if (t.State == ThreadState.Dead) continue;
                pairs[n * 2] = t == me ? Cpu.ReadRsp() : t.SavedRsp;
                pairs[n * 2 + 1] = t.StackTop;
                n++;
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return n;
        }

        private static int AbiCurrentThreadId() => Scheduler.Current.Id;

        private static ulong AbiHeapBytes() => Caller.HeapBytes;

        private static ulong AbiExAllocate(ulong length) => Channels.ExchangeHeap.Allocate(Caller, length);

        private static int AbiExFree(ulong handle) => Channels.ExchangeHeap.Free(handle, Caller.Id, Caller) ? 0 : -1;

        // Whether the caller owns the block, and its length. Never its address: another thread of
        // the SIP could free or send the block while the address was in use (ExRead/ExWrite copy).
        private static ulong AbiExAccess(ulong handle, ulong* length)
        {
            ulong n = Channels.ExchangeHeap.LengthOf(Caller.Id, handle);
            *length = n;
            return n == 0 ? 0UL : 1UL;
        }

        // The runtime passes its own memory (a pinned array or its stack) for the other side.
        private static int AbiExRead(ulong handle, ulong offset, byte* destination, ulong length) =>
            Channels.ExchangeHeap.Copy(Caller, handle, offset, destination, length, intoBlock: false);

        private static int AbiExWrite(ulong handle, ulong offset, byte* source, ulong length) =>
            Channels.ExchangeHeap.Copy(Caller, handle, offset, source, length, intoBlock: true);

        private static int AbiChannelCreate(int* imp, int* exp) => Channels.ChannelCalls.Create(Caller, imp, exp);

        private static int AbiChannelSend(int endpoint, ChannelMessage* m, ulong timeoutNs) => Channels.ChannelCalls.Send(Caller, endpoint, m, timeoutNs);

        private static int AbiChannelReceive(int endpoint, ChannelMessage* m, ulong timeoutNs) => Channels.ChannelCalls.Receive(Caller, endpoint, m, timeoutNs);

        private static int AbiChannelSelect(int* endpoints, int count, ulong timeoutNs) => Channels.ChannelCalls.Select(Caller, endpoints, count, timeoutNs);

        private static int AbiChannelClose(int endpoint) => Channels.ChannelCalls.Close(Caller, endpoint);

        // Names are compared in place: a lookup costs the kernel no memory that could pile up.
        private static int AbiNameRegister(byte* name, int length, int listener) =>
            Channels.NameService.Register(Caller, name, length, listener);

        private static int AbiNameBind(byte* name, int length, int* endpoint) =>
            Channels.NameService.Bind(Caller, name, length, endpoint);

        private static ulong AbiExchangeBytes() => Caller.ExchangeBytes;

        // Starts another instance of a boot module (the supervisor's and the shell's `start`).
        private static int AbiSipStart(byte* name, int nameLength, byte* args, int argsLength)
        {
            if (nameLength <= 0 || nameLength > 64 || argsLength < 0 || argsLength > 1024) return -1;
            string n = string.FromAscii(name, nameLength);
            if (!BootModules.Find(n, out byte* image, out ulong size))
            {
                Runtime.Allocator.Free(n);
                return -2;
            }
            // The image copy and the main thread's stack must not come out of the kernel's reserve.
            if (!KernelReserve.AllowsSipGrant(size + Thread.DefaultStackSize + 64 * 1024))
            {
                Runtime.Allocator.Free(n);
                return -3;
            }
            string a = string.FromAscii(args, argsLength);
            Sip sip = SipLoader.Start(n, a, image, size, Caller.HeapQuota, out string error);
            ulong whole = Log.BeginLine();
            if (sip == null) { Log.Write("sip "); Log.Write(n); Log.Write(" not started: "); Log.WriteLine(error); }
            else
            {
                Log.Write("sip "); Log.Write(n); Log.Write("#"); Log.WriteDecimal((ulong)sip.Id); Log.Write(" started by ");
                Log.Write(Caller.Name); Log.Write("#"); Log.WriteDecimal((ulong)Caller.Id); Log.WriteLine();
            }
            Log.EndLine(whole);
            return sip == null ? -3 : sip.Id;
        }

        private static int AbiSipWait(int id, ulong timeoutNs, int* exitCode)
        {
            Sip sip = SipTable.Find(id);
            if (sip == null) return -1;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            if (sip.IsAlive) Scheduler.Block(sip.ExitWaiters, timeoutNs);
            int result = sip.IsAlive ? 0 : sip.State == SipState.Exited ? 1 : 2;
            if (result != 0) *exitCode = sip.ExitCode;
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return result;
        }

        private static int AbiConsoleRead(byte* buffer, int max, ulong timeoutNs) =>
            Drivers.SerialInput.Read(Caller, buffer, max, timeoutNs);

        private static int AbiSipList(SipInfo* buffer, int max)
        {
            int n = 0;
            for (Sip s = SipTable.First; s != null && n < max; s = s.Next, n++)
            {
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
            }
            return n;
        }

        private static void AbiGetMemoryInfo(MemoryInfo* info) => Diagnostics.DebugConsole.FillMemoryInfo(info);

        private static int AbiSipKill(int id)
        {
            Sip sip = SipTable.Find(id);
            if (sip == null || !sip.IsAlive) return -1;
            if (sip == Caller) return -2;
            sip.Fail("killed by " + Caller.Name + "#" + Caller.Id.ToString(), 0);
            return 0;
        }

        // SIPs may run threads at Low or Normal priority; High is kept for the kernel (and, once
        // manifests grant it, drivers), so no SIP can starve the others.
        private static int AbiSetThreadPriority(int handle, int priority)
        {
            if (priority != (int)ThreadPriority.Low && priority != (int)ThreadPriority.Normal) return -2;
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
