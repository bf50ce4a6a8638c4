using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Processes;
using Singularity.Kernel.Loader;

namespace Singularity.Kernel.Syscalls
{
    /// <summary>System calls: Threads, yielding and sleeping, events, mutexes, waiting, handles and thread priorities.</summary>
    internal static unsafe class ThreadSyscalls
    {
        public static void Register(KernelAbi* t)
        {
            t->Yield = KernelEntry.AbiYield;  // yield.asm: the scheduler's lean switch, else its general path
            t->Sleep = &AbiSleep;
            t->CreateThread = &AbiCreateThread;
            t->ExitThread = &AbiExitThread;
            t->Wait = &AbiWait;
            t->CreateEvent = &AbiCreateEvent;
            t->SetEvent = &AbiSetEvent;
            t->ResetEvent = &AbiResetEvent;
            t->CreateMutex = &AbiCreateMutex;
            t->ReleaseMutex = &AbiReleaseMutex;
            t->CloseHandle = &AbiCloseHandle;
            t->CurrentThreadId = &AbiCurrentThreadId;
            t->SetThreadPriority = &AbiSetThreadPriority;
        }

        private static void AbiSleep(ulong ns) => Scheduler.Sleep(ns);

        private static int AbiCreateThread(ulong entry, ulong argument)
        {
            Sip sip = AbiTable.Caller;
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
            object o = AbiTable.Caller.GetHandle(handle);
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
            Sip sip = AbiTable.Caller;
            if (!sip.HasFreeHandle || !sip.Account.Fits(Charge.Events, Sip.EventBytes)) return -1;
            return sip.AddChargedHandle(new Event(manualReset != 0, signaled != 0));
        }

        private static int AbiSetEvent(int handle)
        {
            if (!(AbiTable.Caller.GetHandle(handle) is Event e)) return -1;
            e.Set();
            return 0;
        }

        private static int AbiResetEvent(int handle)
        {
            if (!(AbiTable.Caller.GetHandle(handle) is Event e)) return -1;
            e.Reset();
            return 0;
        }

        private static int AbiCreateMutex()
        {
            Sip sip = AbiTable.Caller;
            if (!sip.HasFreeHandle || !sip.Account.Fits(Charge.Events, Sip.EventBytes)) return -1;
            return sip.AddChargedHandle(new Mutex());
        }

        private static int AbiReleaseMutex(int handle) =>
            AbiTable.Caller.GetHandle(handle) is Mutex m ? (m.Release() ? 0 : -2) : -1;

        private static int AbiCloseHandle(int handle) => AbiTable.Caller.CloseHandle(handle) ? 0 : -1;

        private static int AbiCurrentThreadId() => Scheduler.Current.Id;

        // A SIP's priorities are granted, not chosen: from Low up to its grant (Normal by default;
        // the system manifest or its parent may grant High or only Low), so no SIP can starve the others.
        private static int AbiSetThreadPriority(int handle, int priority)
        {
            if (!AbiTable.Caller.Share.Grant.Allows(priority)) return -2;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            Thread t = handle == 0 ? Scheduler.Current : AbiTable.Caller.GetHandle(handle) as Thread;
            int result = -1;
            if (t != null && t.Owner == AbiTable.Caller)
            {
                Scheduler.SetPriority(t, (ThreadPriority)priority);
                result = 0;
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return result;
        }
    }
}
