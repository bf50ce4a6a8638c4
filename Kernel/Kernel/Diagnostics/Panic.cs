using Singularity.Kernel.Arch;

namespace Singularity.Kernel.Diagnostics
{
    /// <summary>
    /// Kernel panics: a fault in the kernel itself. Prints what happened, where (the method,
    /// from the symbol table), a stack trace, and stops the machine. Allocates nothing.
    /// </summary>
    internal static unsafe class Panic
    {
        private static int s_depth;

        /// <summary>Panic with a message at the caller's location.</summary>
        public static void Halt(string reason)
        {
            Begin(reason);
            End();
        }

        public static void Begin(string reason)
        {
            Cpu.DisableInterrupts();
            if (++s_depth > 1)
            {
                // A panic while panicking: say so and stop, without a stack walk that may fault again.
                Log.Write("\n*** nested kernel panic: "); Log.WriteLine(reason);
                Platform.Exit(Platform.ExitPanic);
            }
            Log.Write("\n*** KERNEL PANIC: "); Log.WriteLine(reason);
        }

        /// <summary>Finishes a panic begun with Begin: stack trace from the caller, then stop.</summary>
        public static void End()
        {
            StackTrace(Cpu.ReadRbp(), Cpu.ReadRsp());
            Platform.Exit(Platform.ExitPanic);
        }

        public static void CpuException(InterruptFrame* f) => CpuException(f, Cpu.ReadCr2());

        public static void CpuException(InterruptFrame* f, ulong cr2)
        {
            bool overflow = IsStackOverflow(f, cr2);
            Cpu.DisableInterrupts();
            if (++s_depth > 1)
            {
                Log.Write("\n*** nested kernel panic: "); Log.WriteLine(Idt.ExceptionName(f->Vector));
                Platform.Exit(Platform.ExitPanic);
            }
            Log.Write("\n*** KERNEL PANIC: ");
            Log.Write(Idt.ExceptionName(f->Vector));
            if (overflow) Log.Write(" (kernel stack overflow: guard page hit)");
            Log.WriteLine();
            Log.Write("    error code "); Log.WriteHex(f->ErrorCode, 4);
            if (f->Vector == 14)
            {
                Log.Write(" ("); Log.Write((f->ErrorCode & 1) != 0 ? "protection violation" : "page not present");
                Log.Write((f->ErrorCode & 2) != 0 ? ", write" : ", read");
                if ((f->ErrorCode & 16) != 0) Log.Write(", instruction fetch");
                Log.Write(")");
            }
            Log.WriteLine();
            Log.Write("    RIP "); Log.WriteHex(f->Rip); Log.Write(" in "); Symbols.WriteSymbol(f->Rip); Log.WriteLine();
            Log.Write("    CR2 "); Log.WriteHex(cr2); Log.Write("  RSP "); Log.WriteHex(f->Rsp);
            Log.Write("  RBP "); Log.WriteHex(f->Rbp); Log.WriteLine();
            Log.Write("    RAX "); Log.WriteHex(f->Rax); Log.Write("  RBX "); Log.WriteHex(f->Rbx);
            Log.Write("  RCX "); Log.WriteHex(f->Rcx); Log.WriteLine();
            Log.Write("    RDX "); Log.WriteHex(f->Rdx); Log.Write("  RSI "); Log.WriteHex(f->Rsi);
            Log.Write("  RDI "); Log.WriteHex(f->Rdi); Log.WriteLine();
            if (overflow) Log.WriteLine("    stack trace: omitted (the stack overflowed)");
            else StackTrace(f->Rbp, f->Rsp);
            Platform.Exit(Platform.ExitPanic);
        }

        // A #DF or #PF whose faulting address is the guard page just below the boot stack or the
        // running thread's kernel stack.
        private static bool IsStackOverflow(InterruptFrame* f, ulong cr2)
        {
            if (f->Vector != 8 && f->Vector != 14) return false;
            KernelLayout* layout = KernelLayout.Get();
            KernelEntry.RunningKernelStack(out ulong low, out _);
            return NearGuard(layout->BootStackGuard, f, cr2) || NearGuard(low - Cpu.PageSize, f, cr2);
        }

        private static bool NearGuard(ulong guard, InterruptFrame* f, ulong cr2) =>
            (cr2 >= guard && cr2 < guard + Cpu.PageSize)
            || (f->Rsp >= guard && f->Rsp < guard + Cpu.PageSize + 256);

        /// <summary>Walks the frame-pointer chain, naming each return address.</summary>
        public static void StackTrace(ulong rbp, ulong rsp)
        {
            Log.WriteLine("    stack trace:");
            StackBounds(rsp, out ulong low, out ulong high);
            int frames = 0;
            while (frames < 32 && rbp >= low && rbp + 16 <= high && (rbp & 7) == 0)
            {
                ulong ret = ((ulong*)rbp)[1];
                if (ret == 0) break;
                Log.Write("      #"); Log.WriteDecimal((ulong)frames); Log.Write(" "); Log.WriteHex(ret);
                Log.Write(" "); Symbols.WriteSymbol(ret); Log.WriteLine();
                ulong next = ((ulong*)rbp)[0];
                if (next <= rbp) break;
                rbp = next;
                frames++;
            }
            if (frames == 0) Log.WriteLine("      (no frame-pointer chain)");
        }

        private static void StackBounds(ulong rsp, out ulong low, out ulong high)
        {
            KernelLayout* layout = KernelLayout.Get();
            if (Gdt.IsIstStack(rsp, out ulong top)) { low = rsp; high = top; return; }
            if (rsp >= layout->BootStackGuard && rsp < layout->BootStackTop) { low = layout->BootStackBottom; high = layout->BootStackTop; return; }
            KernelEntry.RunningKernelStack(out low, out high);
            if (rsp >= low && rsp < high) return;
            // Another stack (a thread's): trust one page above rsp at most.
            low = rsp; high = rsp + 64 * 1024;
        }
    }
}
