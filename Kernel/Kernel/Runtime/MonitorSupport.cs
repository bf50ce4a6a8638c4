using System.Runtime;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel.Runtime
{
    /// <summary>What the core library's Monitor (C# `lock`) needs from the kernel.</summary>
    internal static class MonitorSupport
    {
        // Before the scheduler starts, boot code is the only thread.
        [RuntimeExport("rt_current_thread_id")]
        public static int CurrentThreadId() => Scheduler.Started ? Scheduler.Current.Id + 1 : 1;

        /// <summary>A contended lock: yield a few times, then sleep so a lower-priority owner can run.</summary>
        [RuntimeExport("rt_lock_wait")]
        public static void LockWait(int attempt)
        {
            if (!Scheduler.Started) return;
            if (attempt < 16) Scheduler.Yield();
            else Scheduler.Sleep(1_000_000);
        }
    }
}
