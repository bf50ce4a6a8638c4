using System.Runtime;

namespace Singularity.Kernel.Arch
{
    /// <summary>
    /// The one C# entry for every interrupt and exception (called from interrupts.asm). What a
    /// fault or a timer tick means is decided above Arch: the layers that know register their
    /// handlers at boot (Boot/Kernel.cs, ConnectLayers): SIP faults and managed-code faults (Runtime),
    /// the panic for anything else (Diagnostics), the scheduler's tick (Threading).
    /// </summary>
    internal static unsafe class InterruptDispatcher
    {
        public static ulong SpuriousCount;

        // Tried in order for a CPU exception; each returns true if it handled the fault (the frame
        // may have been redirected). The last resort does not return.
        private static delegate*<InterruptFrame*, bool> s_sipFault, s_managedFault;
        // Asked first on a not-present page fault: maps and zeroes a page left to be zeroed on
        // access (Memory.Paging), true when it did; the access is then retried.
        private static delegate*<ulong, bool> s_zeroOnAccess;
        private static delegate*<InterruptFrame*, void> s_unhandledFault;
        // Called on each timer tick taken off an IST stack; may switch threads.
        private static delegate*<void> s_tick;
        // Called for every other device interrupt before its EOI (IO: a driver's interrupt object
        // masks the line and wakes the driver); lines nobody holds are only acknowledged.
        private static delegate*<int, void> s_deviceIrq;

        /// <summary>Registers the fault handlers: a fault in SIP code, a fault managed code may turn into an exception, and the rest (a panic).</summary>
        public static void SetFaultHandlers(delegate*<InterruptFrame*, bool> sipFault, delegate*<InterruptFrame*, bool> managedFault,
                                            delegate*<InterruptFrame*, void> unhandled)
        {
            s_sipFault = sipFault;
            s_managedFault = managedFault;
            s_unhandledFault = unhandled;
        }

        /// <summary>Registers what resolves a not-present page fault on a page to be zeroed on access.</summary>
        public static void SetZeroOnAccessHandler(delegate*<ulong, bool> handler) => s_zeroOnAccess = handler;

        /// <summary>Registers what runs on each timer tick (the scheduler's preemption).</summary>
        public static void SetTickHandler(delegate*<void> tick) => s_tick = tick;

        /// <summary>Registers what runs for a device interrupt (lines 1-15) before its EOI: the I/O manager's interrupt objects.</summary>
        public static void SetDeviceIrqHandler(delegate*<int, void> handler) => s_deviceIrq = handler;

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
                // A page fault on a page not present (error code bit 0 clear) may be a page to
                // zero on its first access: from SIP or kernel code alike, it is no fault.
                if (vector == 14 && (frame->ErrorCode & 1) == 0 && s_zeroOnAccess != null && s_zeroOnAccess(Cpu.ReadCr2()))
                    return frame;
                // A fault in a SIP's own code (its stack overflowing included) is that SIP's
                // failure; anything else is a kernel bug.
                if (!onIstStack && s_sipFault != null && s_sipFault(frame)) return frame;
                if (s_managedFault != null && s_managedFault(frame)) return frame;
                if (s_unhandledFault != null) s_unhandledFault(frame);
                Cpu.HaltForever();      // no handler registered yet: nothing can be said
                return frame;
            }

            int irq = (int)vector - Idt.IrqBase;
            if (Pic.IsSpurious(irq))
            {
                SpuriousCount++;
                return frame;
            }
            // A driver's line is masked before its EOI (InterruptObjects), so it cannot fire again
            // until the driver acknowledges.
            if (irq != 0 && s_deviceIrq != null) s_deviceIrq(irq);
            Pic.EndOfInterrupt(irq);
            if (irq == 0)
            {
                Clock.Tick();
                if (!onIstStack && s_tick != null) s_tick();   // may switch threads; we resume here later
            }
            return frame;
        }
    }
}
