using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionHandling;
using Singularity.Kernel.Arch;

namespace Singularity.Kernel.Runtime
{
    /// <summary>
    /// Turns a null dereference or divide error in managed code into a managed exception:
    /// instead of returning to the faulting instruction, the interrupt returns into the
    /// dispatcher's entry (eh_throw_hw), which sees the faulting frame's registers intact.
    /// </summary>
    internal static unsafe class ManagedFaults
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "eh_throw_hw_address")]
        private static extern ulong KernelFaultEntry();

        /// <summary>A fault in the kernel's own managed code: redirect it if it can become an exception.</summary>
        public static bool TryRedirectKernelFault(InterruptFrame* f)
        {
            ulong cr2 = Cpu.ReadCr2();
            bool nullDeref = f->Vector == 14 && cr2 < SipFaults.NullRegion && (f->ErrorCode & 16) == 0;
            if (f->Vector != 0 && !nullDeref) return false;
            if ((f->Cs & 3) != 0 || !FrameUnwinder.Find(f->Rip, out _)) return false;   // not kernel managed code
            Redirect(f, KernelFaultEntry(), cr2);
            return true;
        }

        /// <summary>Continue at <paramref name="entry"/> with the fault described in the argument registers.</summary>
        public static void Redirect(InterruptFrame* f, ulong entry, ulong cr2)
        {
            f->Rdi = f->Vector;
            f->Rsi = f->Rip;
            f->Rdx = cr2;
            f->Rcx = f->ErrorCode;
            f->Rip = entry;
        }
    }
}
