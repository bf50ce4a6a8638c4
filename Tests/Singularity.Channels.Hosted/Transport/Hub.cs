using System.Threading;

namespace Singularity.Ipc
{
    /// <summary>
    /// One lock and one condition for every hosted channel. Simple and obviously correct:
    /// hosted channels exist for tests, where clarity beats throughput. Waits are sliced so
    /// that a peer thread's death is noticed without anyone signalling it.
    /// </summary>
    internal static class Hub
    {
        public static readonly object Lock = new object();

        public const int SliceMs = 20;

        /// <summary>Waits (holding Lock) until signalled, the slice ends, or the deadline passes; false once past the deadline.</summary>
        public static bool Wait(long deadlineMs)
        {
            int wait = SliceMs;
            if (deadlineMs >= 0)
            {
                long left = deadlineMs - Environment64.NowMs;
                if (left <= 0) return false;
                if (left < wait) wait = (int)left;
            }
            Monitor.Wait(Lock, wait);
            return true;
        }

        public static void Changed() => Monitor.PulseAll(Lock);

        public static long Deadline(int timeoutMs) => timeoutMs < 0 ? -1 : Environment64.NowMs + timeoutMs;
    }

    internal static class Environment64
    {
        public static long NowMs => System.Environment.TickCount64;
    }
}
