using Singularity.Kernel.Arch;
using Singularity.Kernel.Processes;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel.IO.Drivers
{
    /// <summary>
    /// Interrupt objects (docs/drivers.md, "Interrupts"): a driver waits on an interrupt line of its
    /// grant and acknowledges it after servicing the device. On the interrupt the kernel masks the
    /// line at the PIC (before the EOI, InterruptDispatcher), then wakes the driver's waiting thread,
    /// or remembers one pending interrupt when none waits; the line stays masked until the driver
    /// acknowledges, so a device that keeps interrupting cannot starve the machine. A line is bound
    /// to its driver on the driver's first wait or acknowledgement (the I/O manager grants a line to
    /// one driver only) and unbound, masked, when the driver ends (IoManager.Quiesce, before
    /// anything of it is reclaimed). The state is one fixed slot per line: nothing is allocated,
    /// so a driver's interrupts cost the kernel heap nothing. Everything here runs with interrupts off.
    /// </summary>
    internal static class InterruptObjects
    {
        public const int Lines = 16;

        private static Sip[] s_owner;
        private static Thread[] s_waiter;
        private static bool[] s_pending;
        private static ulong[] s_count;

        /// <summary>At boot, after the kernel heap: the slots (never freed).</summary>
        public static void Initialize()
        {
            s_owner = new Sip[Lines];
            s_waiter = new Thread[Lines];
            s_pending = new bool[Lines];
            s_count = new ulong[Lines];
        }

        /// <summary>Interrupts taken on <paramref name="line"/> for its drivers since boot.</summary>
        public static ulong Count(int line) => line >= 0 && line < Lines && s_count != null ? s_count[line] : 0;

        // The caller (a syscall) has checked that the line is in the SIP's grant.
        private static void Bind(Sip sip, int line)
        {
            if (s_owner[line] == sip) return;
            s_owner[line] = sip;
            s_waiter[line] = null;
            s_pending[line] = false;
            Pic.Unmask(line);
        }

        /// <summary>
        /// Waits on a line of <paramref name="sip"/>'s grant for at most <paramref name="timeoutNs"/>
        /// (0 = for ever): 1 when an interrupt came (the line stays masked until Acknowledge), 0 on
        /// timeout, -1 when another thread of the driver waits on it already.
        /// </summary>
        public static int Wait(Sip sip, int line, ulong timeoutNs)
        {
            Bind(sip, line);
            if (s_pending[line]) { s_pending[line] = false; return 1; }
            if (s_waiter[line] != null) return -1;
            Thread me = Scheduler.Current;
            // A channel receive's kept registration would let a message end this wait early.
            Ipc.ChannelCalls.StopWatching(me);
            s_waiter[line] = me;
            Scheduler.BlockDirect(timeoutNs);
            if (s_waiter[line] == me) s_waiter[line] = null;
            // The driver may have ended meanwhile (a sibling failed it): then nothing is its.
            if (s_owner[line] != sip || !s_pending[line]) return 0;
            s_pending[line] = false;
            return 1;
        }

        /// <summary>The driver has serviced its device: the line is unmasked.</summary>
        public static void Acknowledge(Sip sip, int line)
        {
            Bind(sip, line);
            Pic.Unmask(line);
        }

        /// <summary>From the interrupt dispatcher, before the EOI: a driver's line is masked and its waiter woken.</summary>
        public static void OnInterrupt(int line)
        {
            if (s_owner == null || line <= 0 || line >= Lines || s_owner[line] == null) return;
            Pic.Mask(line);
            s_count[line]++;
            s_pending[line] = true;
            Thread waiter = s_waiter[line];
            if (waiter != null)
            {
                s_waiter[line] = null;
                Scheduler.WakeDirect(waiter);
            }
        }

        /// <summary>A driver ends (IoManager.Quiesce): its lines are masked and unbound before anything of it is reclaimed.</summary>
        public static void Release(Sip sip)
        {
            for (int line = 0; line < Lines; line++)
            {
                if (s_owner[line] != sip) continue;
                Pic.Mask(line);
                s_owner[line] = null;
                s_waiter[line] = null;
                s_pending[line] = false;
            }
        }
    }
}
