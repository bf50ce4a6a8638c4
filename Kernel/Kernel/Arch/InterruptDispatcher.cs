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
                // Every CPU exception in the kernel is a kernel bug. (SIP faults are routed to
                // the failing SIP once SIPs exist.)
                Panic.CpuException(frame);
                return frame;
            }

            int irq = (int)vector - Idt.IrqBase;
            if (Pic.IsSpurious(irq))
            {
                SpuriousCount++;
                return frame;
            }
            if (irq == 0) Clock.Tick();
            Pic.EndOfInterrupt(irq);
            return frame;
        }
    }
}
