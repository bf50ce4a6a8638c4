using System.Runtime;
using Singularity.Kernel.Diagnostics;

namespace Singularity.Kernel.Arch
{
    /// <summary>The one C# entry for every interrupt and exception (called from interrupts.asm).</summary>
    internal static unsafe class InterruptDispatcher
    {
        public static ulong SpuriousCount;

        [RuntimeExport("kernel_interrupt")]
        public static InterruptFrame* Dispatch(InterruptFrame* frame)
        {
            ulong vector = frame->Vector;
            if (vector < Idt.ExceptionCount)
            {
                // A fault in a SIP's own code (or on its thread's guard page) is that SIP's
                // failure; anything else is a kernel bug.
                if (SipFaults.TryHandle(frame)) return frame;
                if (ManagedFaults.TryRedirectKernelFault(frame)) return frame;
                Panic.CpuException(frame);
                return frame;
            }

            int irq = (int)vector - Idt.IrqBase;
            if (Pic.IsSpurious(irq))
            {
                SpuriousCount++;
                return frame;
            }
            Pic.EndOfInterrupt(irq);
            if (irq == 0)
            {
                Clock.Tick();
                Threading.Scheduler.OnTick();   // may switch threads; we resume here later
            }
            return frame;
        }
    }
}
