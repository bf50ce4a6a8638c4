using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Processes;
using Singularity.Kernel.Loader;

namespace Singularity.Kernel.Syscalls
{
    /// <summary>System calls: Ending, failing, starting, waiting for, killing and listing SIPs; the fault entry and startup endpoints.</summary>
    internal static unsafe class ProcessSyscalls
    {
        public static void Register(KernelAbi* t)
        {
            t->ExitProcess = &AbiExitProcess;
            t->FailProcess = &AbiFailProcess;
            t->FailProcessWithTrace = &AbiFailProcessWithTrace;
            t->SetFaultEntry = &AbiSetFaultEntry;
            t->TakeStartupEndpoint = &AbiTakeStartupEndpoint;
            t->SipStart = &AbiSipStart;
            t->SipWait = &AbiSipWait;
            t->SipKill = &AbiSipKill;
            t->SipList = &AbiSipList;
        }

        // The calling thread ends its own SIP: interrupts stay off from Terminate (which marks it
        // dead) to LeaveDeadThread (which queues its stack for freeing); a tick in between would
        // switch away from a dead thread for good and lose its stack.
        private static void AbiExitProcess(int code)
        {
            Sip sip = AbiTable.Caller;
            Cpu.DisableInterrupts();
            sip.Terminate(SipState.Exited, code, null);
            Scheduler.LeaveDeadThread();
        }

        private static void AbiFailProcess(byte* message, int length, ulong rip)
        {
            Sip sip = AbiTable.Caller;
            string reason = string.FromAscii(message, length < 0 ? 0 : length > SipLimits.FailMessageMaxBytes ? SipLimits.FailMessageMaxBytes : length);
            Cpu.DisableInterrupts();
            sip.Fail(reason, rip);
            if (reason.Length != 0) Allocator.Free(reason);     // logged; not kept
            Scheduler.LeaveDeadThread();
        }

        private static void AbiFailProcessWithTrace(byte* message, int length, ulong* trace, int count)
        {
            Sip sip = AbiTable.Caller;
            string reason = string.FromAscii(message, length < 0 ? 0 : length > SipLimits.FailMessageMaxBytes ? SipLimits.FailMessageMaxBytes : length);
            Cpu.DisableInterrupts();
            sip.Fail(reason, trace, count < 0 ? 0 : count > SipLimits.FailTraceMaxFrames ? SipLimits.FailTraceMaxFrames : count);
            if (reason.Length != 0) Allocator.Free(reason);     // logged; not kept
            Scheduler.LeaveDeadThread();
        }

        // Only an address inside the SIP's own code: the kernel will jump there on a fault.
        private static void AbiSetFaultEntry(ulong entry)
        {
            Sip sip = AbiTable.Caller;
            if (sip.ContainsCode(entry)) sip.FaultEntry = entry;
        }

        private static int AbiTakeStartupEndpoint(byte* path, int length) =>
            length <= 0 || length > SipLimits.NameMaxBytes ? -1 : StartupEndpoints.Take(AbiTable.Caller, path, length);

        // Starts another instance of a boot module (the supervisor's and the shell's `start`).
        // Process control needs the `processes` grant (Grants, docs/security.md); a SIP without it
        // gets NotPermitted from every call, before any of its arguments is read.
        private const int NotPermitted = KernelAbi.NotPermitted;

        private static int AbiSipStart(byte* name, int nameLength, byte* args, int argsLength)
        {
            if (!Grants.Has(AbiTable.Caller, Grants.Processes)) return NotPermitted;
            if (nameLength <= 0 || nameLength > SipLimits.ModuleNameMaxBytes || argsLength < 0 || argsLength > SipLimits.ArgumentsMaxBytes) return -1;
            string n = string.FromAscii(name, nameLength);
            if (!BootModules.Find(n, out byte* image, out ulong size))
            {
                Allocator.Free(n);
                return -2;
            }
            // The image copy and the main thread's stack must not come out of the kernel's reserve.
            if (!KernelReserve.AllowsSipGrant(size + Thread.StackBytesPerSipThread + SipLimits.SipStartKernelBytes))
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
            Sip parent = AbiTable.Caller;
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
                Log.Write(AbiTable.Caller.Name); Log.Write("#"); Log.WriteDecimal((ulong)AbiTable.Caller.Id); Log.WriteLine();
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
            if (sip != null && !Grants.MayControl(AbiTable.Caller, sip)) result = NotPermitted;
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
                if (k >= 0 && !Grants.MayControl(AbiTable.Caller, SipExitLog.ParentAt(k))) result = NotPermitted;
                else if (k >= 0)
                {
                    result = SipExitLog.StateAt(k) == SipState.Exited ? 1 : 2;
                    *exitCode = SipExitLog.ExitCodeAt(k);
                }
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return result;
        }

        private static int AbiSipKill(int id)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();            // the record cannot go between the look-up and the kill
            Sip sip = SipTable.Find(id);
            int result = 0;
            if (!Grants.Has(AbiTable.Caller, Grants.Processes)) result = NotPermitted;
            else if (sip == null || !sip.IsAlive) result = -1;
            else if (sip == AbiTable.Caller) result = -2;
            else if (!Grants.MayControl(AbiTable.Caller, sip)) result = NotPermitted;
            else
            {
                char* text = stackalloc char[96];
                int n = 0;
                Text.Append(text, 96, ref n, "killed by ");
                Text.Append(text, 96, ref n, AbiTable.Caller.Name);
                Text.Append(text, 96, ref n, "#");
                Text.Append(text, 96, ref n, (ulong)AbiTable.Caller.Id);
                string reason = string.FromChars(text, n);
                sip.Fail(reason, 0);
                Allocator.Free(reason);
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return result;
        }

        // The SIPs the caller may control (its children, or all with `processes all`), and itself.
        private static int AbiSipList(SipInfo* buffer, int max)
        {
            Sip caller = AbiTable.Caller;
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
    }
}
