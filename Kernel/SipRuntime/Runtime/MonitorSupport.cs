using System.Runtime;

namespace Singularity.Runtime
{
    /// <summary>What the core library's Monitor (C# `lock`) needs from the SIP runtime.</summary>
    /// <unsafe>Called from the core library's Monitor (rt_current_thread_id, rt_lock_wait); ABI calls with integers only.</unsafe>
    internal static unsafe class MonitorSupport
    {
        [RuntimeExport("rt_current_thread_id")]
        public static int CurrentThreadId() => KernelCalls.Abi->CurrentThreadId() + 1;

        /// <summary>A contended lock: yield a few times, then sleep so a lower-priority owner can run.</summary>
        [RuntimeExport("rt_lock_wait")]
        public static void LockWait(int attempt)
        {
            if (attempt < 16) KernelCalls.Abi->Yield();
            else KernelCalls.Abi->Sleep(1_000_000);
        }
    }
}
