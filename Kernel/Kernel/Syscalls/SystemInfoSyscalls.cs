using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Processes;
using Singularity.Kernel.Loader;

namespace Singularity.Kernel.Syscalls
{
    /// <summary>System calls: The clock and what the system reports about memory.</summary>
    internal static unsafe class SystemInfoSyscalls
    {
        public static void Register(KernelAbi* t)
        {
            t->MonotonicNs = &AbiMonotonicNs;
            t->GetMemoryInfo = &AbiGetMemoryInfo;
        }

        private static ulong AbiMonotonicNs() => Clock.MonotonicNs;

        private static void AbiGetMemoryInfo(MemoryInfo* info) => Console.DebugConsole.FillMemoryInfo(info);
    }
}
