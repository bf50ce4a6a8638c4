using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Processes;
using Singularity.Kernel.Loader;

namespace Singularity.Kernel.Syscalls
{
    /// <summary>System calls: ending and failing the caller's SIP, the fault entry and startup endpoints; the retired process-control entries (refused).</summary>
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

        // Process control is no global call any more: it is the process-manager endpoint a granted
        // SIP receives at start (Loader/ProcessManager.cs, docs/security.md). The retired entries
        // keep their slots (the table is append-only) and refuse every caller, reading nothing.
        private static int AbiSipStart(byte* name, int nameLength, byte* args, int argsLength) => KernelAbi.NotPermitted;

        private static int AbiSipWait(int id, ulong timeoutNs, int* exitCode) => KernelAbi.NotPermitted;

        private static int AbiSipKill(int id) => KernelAbi.NotPermitted;

        private static int AbiSipList(SipInfo* buffer, int max) => KernelAbi.NotPermitted;
    }
}
