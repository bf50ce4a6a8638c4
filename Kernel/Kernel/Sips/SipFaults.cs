using System;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel
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
            Thread t = Scheduler.Current;
            Sip sip = t.Owner;
            if (sip == null || !sip.IsAlive) return false;
            ulong cr2 = Cpu.ReadCr2();
            bool overflow = (f->Vector == 8 || f->Vector == 14) && (t.IsGuardPage(cr2) || t.IsGuardPage(f->Rsp));
            if (!overflow && !sip.ContainsCode(f->Rip)) return false;

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
