using System.Runtime;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Runtime;

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
            // The stub leaves the frame on an IST stack only when it could not move to a kernel
            // stack (interrupts.asm). No thread switch may happen there: the next interrupt
            // would land on the same stack.
            bool onIstStack = Gdt.IsIstStack((ulong)frame, out _);
            if (vector < Idt.ExceptionCount)
            {
                // A fault in a SIP's own code (its stack overflowing included) is that SIP's
                // failure; anything else is a kernel bug.
                if (!onIstStack && SipFaults.TryHandle(frame)) return frame;
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
                if (!onIstStack) Threading.Scheduler.OnTick();   // may switch threads; we resume here later
            }
            return frame;
        }
    }
}
