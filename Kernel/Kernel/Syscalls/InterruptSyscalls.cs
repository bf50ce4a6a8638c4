using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.IO.Drivers;
using Singularity.Kernel.Processes;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel.Syscalls
{
    /// <summary>
    /// System calls of interrupt objects (IO/Drivers/InterruptObjects.cs; docs/drivers.md): a
    /// driver waits on, and acknowledges, an interrupt line by its index in the caller's own grant.
    /// An index the caller's grant does not hold fails the caller (a driver bug or an attack); the
    /// line is resolved from the calling thread's own SIP, so no SIP can wait on or unmask another's.
    /// </summary>
    internal static unsafe class InterruptSyscalls
    {
        public static void Register(KernelAbi* t)
        {
            t->InterruptWait = &AbiInterruptWait;
            t->InterruptAck = &AbiInterruptAck;
        }

        // The line of the caller's index, or fails the caller. Interrupts off on return.
        private static int Resolve(Sip sip, int index, string what)
        {
            Cpu.DisableInterrupts();
            DriverGrant g = IoManager.Of(sip);
            if (g != null && index >= 0 && index < g.IrqCount && g.Irqs[index] > 0 && g.Irqs[index] < InterruptObjects.Lines)
                return g.Irqs[index];
            ulong flags = Log.BeginLine();
            Log.Write("io: "); Log.Write(sip.Name); Log.Write("#"); Log.WriteDecimal((ulong)sip.Id);
            Log.Write(what); Log.WriteDecimal((long)index);
            Log.WriteLine(g == null ? ": it holds no I/O grant" : ": not in its grant");
            Log.EndLine(flags);
            Cpu.DisableInterrupts();
            sip.Fail("interrupt outside its grant", 0);
            Scheduler.LeaveDeadThread();
            return -1;
        }

        private static int AbiInterruptWait(int index, ulong timeoutNs)
        {
            ulong flags = Cpu.ReadRflags();
            Sip sip = AbiTable.Caller;
            int line = Resolve(sip, index, " interrupt wait: index ");
            int result = InterruptObjects.Wait(sip, line, timeoutNs);
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return result;
        }

        private static void AbiInterruptAck(int index)
        {
            ulong flags = Cpu.ReadRflags();
            Sip sip = AbiTable.Caller;
            int line = Resolve(sip, index, " interrupt acknowledge: index ");
            InterruptObjects.Acknowledge(sip, line);
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }
    }
}
