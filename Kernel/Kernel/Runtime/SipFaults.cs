using System;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.Runtime
{
    /// <summary>Turns a CPU exception raised by a SIP into that SIP's failure.</summary>
    internal static unsafe class SipFaults
    {
        // Page 0 is never mapped: a load or store through null plus a field offset lands here.
        public const ulong NullRegion = 4096;

        /// <summary>
        /// If the fault belongs to the running SIP, fails the SIP and switches away (never returns);
        /// returns false when the fault is the kernel's own.
        /// </summary>
        public static bool TryHandle(InterruptFrame* f)
        {
            if (!Scheduler.Started) return false;
            // NMI, double fault and machine check are not raised by the SIP's instructions.
            if (f->Vector == 2 || f->Vector == 8 || f->Vector == 18) return false;
            Thread t = Scheduler.Current;
            Sip sip = Sip.Of(t);
            if (sip == null || !sip.IsAlive) return false;
            // Only a fault in the SIP's own code is the SIP's: its image, or wherever it jumped
            // while on its own stack. Kernel code always runs on a kernel stack (ABI stubs and
            // interrupt entry switch to it), so a fault in kernel code, even one that names the
            // SIP's guard page, is a kernel bug: never blamed on the SIP and abandoned half-way.
            Arch.KernelLayout* layout = Arch.KernelLayout.Get();
            if (f->Rip >= layout->TextStart && f->Rip < layout->TextEnd) return false;
            if (!sip.ContainsCode(f->Rip) && !t.IsOnSipStack(f->Rsp)) return false;
            ulong cr2 = Cpu.ReadCr2();
            bool overflow = f->Vector == 14 && t.IsSipGuardPage(cr2);

            // A null dereference or divide error in code with a registered fault entry continues
            // there as a managed exception, which the SIP may catch.
            bool nullDeref = f->Vector == 14 && cr2 < NullRegion && (f->ErrorCode & 16) == 0;
            if (!overflow && sip.FaultEntry != 0 && (f->Vector == 0 || nullDeref))
            {
                ManagedFaults.Redirect(f, sip.FaultEntry, cr2);
                return true;
            }

            string reason;
            if (overflow) reason = "stack overflow";
            else if (f->Vector == 14 && cr2 < 4096) reason = "null dereference (page fault at 0x" + Number.FormatHex(cr2, 1) + ")";
            else if (f->Vector == 14) reason = "page fault at 0x" + Number.FormatHex(cr2, 16);
            else reason = Idt.ExceptionName(f->Vector);
            sip.Fail(reason, f->Rip);
            Scheduler.LeaveDeadThread();
            return true;
        }
    }
}
