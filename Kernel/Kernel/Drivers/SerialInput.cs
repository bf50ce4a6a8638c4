using Singularity.Kernel.Threading;

namespace Singularity.Kernel.Drivers
{
    /// <summary>
    /// Serial input for a SIP. The first SIP that reads (the shell) owns the input from then on,
    /// and the kernel debug console stops reading it; when that SIP dies the kernel console
    /// takes the line back.
    /// </summary>
    internal static unsafe class SerialInput
    {
        private static Sip s_owner;

        public static Sip ClaimedBy => s_owner != null && s_owner.IsAlive ? s_owner : null;

        /// <summary>A SIP's record is being freed: the input no longer names it. Interrupts off.</summary>
        public static void Forget(Sip sip)
        {
            if (s_owner == sip) s_owner = null;
        }

        /// <summary>Reads up to <paramref name="max"/> bytes; 0 on timeout (ns; 0 = wait forever), -1 if another SIP owns the input.</summary>
        public static int Read(Sip caller, byte* buffer, int max, ulong timeoutNs)
        {
            if (max <= 0) return 0;
            if (ClaimedBy == null) s_owner = caller;
            if (s_owner != caller) return -1;
            ulong deadline = timeoutNs == 0 ? 0 : Clock.MonotonicNs + timeoutNs;
            while (true)
            {
                int n = 0;
                while (n < max && Serial16550.TryRead(out byte b)) buffer[n++] = b;
                if (n > 0) return n;
                if (deadline != 0 && Clock.MonotonicNs >= deadline) return 0;
                Scheduler.Sleep(5 * 1000 * 1000);
            }
        }
    }
}
