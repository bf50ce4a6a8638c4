using Singularity.Kernel.Threading;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.IO
{
    /// <summary>
    /// Serial input for a SIP. Only a SIP whose module the system manifest grants `console-input`
    /// (the shell) may read it (Grants, docs/security.md), through its /kernel/console-input
    /// endpoint; the first such SIP owns the input from its start (or its first read) until it dies, and the kernel debug console stays quiet meanwhile. Two things always reach
    /// the kernel: when the owner dies the debug console takes the line back (a SIP without the
    /// grant never gets it), and <see cref="EscapeKey"/> (Ctrl-]) typed at any time hands the next
    /// line to the debug console, then input returns to its owner.
    /// </summary>
    internal static unsafe class SerialInput
    {
        /// <summary>Ctrl-] (GS, 0x1D): the next line goes to the kernel debug console.</summary>
        public const byte EscapeKey = 0x1D;

        private static Sip s_owner;
        private static bool s_kernelLine;

        public static Sip ClaimedBy => s_owner != null && s_owner.IsAlive ? s_owner : null;

        /// <summary>A SIP's record is being freed: the input no longer names it. Interrupts off.</summary>
        public static void Forget(Sip sip)
        {
            if (s_owner == sip) s_owner = null;
        }
        /// <summary>Set while the debug console reads the line after an <see cref="EscapeKey"/>; no SIP reads meanwhile.</summary>
        public static bool KernelHoldsLine => s_kernelLine;

        /// <summary>The debug console has read its line: input goes back to its owner.</summary>
        public static void ReleaseKernelLine() => s_kernelLine = false;

        /// <summary>The SIP owns the input from now (granted `console-input` at its start), unless a live SIP owns it.</summary>
        public static void ClaimIfFree(Sip sip)
        {
            if (ClaimedBy == null) s_owner = sip;
        }

        /// <summary>
        /// Reads up to <paramref name="max"/> bytes; 0 on timeout (ns; 0 = wait forever), -1 if the
        /// caller holds no `console-input` grant or another SIP owns the input.
        /// </summary>
        public static int Read(Sip caller, byte* buffer, int max, ulong timeoutNs)
        {
            if (!Grants.Has(caller, Grants.ConsoleInput)) return -1;
            if (max <= 0) return 0;
            if (ClaimedBy == null) s_owner = caller;
            if (s_owner != caller) return -1;
            ulong deadline = timeoutNs == 0 ? 0 : Clock.MonotonicNs + timeoutNs;
            while (true)
            {
                int n = 0;
                while (n < max && !s_kernelLine && Serial16550.TryRead(out byte b))
                {
                    if (b == EscapeKey) s_kernelLine = true;     // the rest of the line is the kernel's
                    else buffer[n++] = b;
                }
                if (n > 0) return n;
                if (deadline != 0 && Clock.MonotonicNs >= deadline) return 0;
                Scheduler.Sleep(5 * 1000 * 1000);
            }
        }
    }
}
