using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Processes;

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

        private static void AbiGetMemoryInfo(MemoryInfo* info) => FillMemoryInfo(info);

        /// <summary>What GetMemoryInfo reports (and the debug console's `mem`): memory in use by the kernel, SIPs and the exchange heap.</summary>
        public static void FillMemoryInfo(MemoryInfo* info)
        {
            Scheduler.ReapDead();       // count dead threads' stacks as free, as they are about to be
            ulong sipBytes = 0;
            int live = 0;
            ulong flags = Arch.Cpu.ReadRflags();
            Arch.Cpu.DisableInterrupts();       // records of ended SIPs are freed as their threads are reaped
            for (Sip s = SipTable.First; s != null; s = s.Next)
                if (s.IsAlive) { live++; sipBytes += s.HeapBytes + s.ImagePages * PhysicalMemory.PageSize; }
            if ((flags & (1 << 9)) != 0) Arch.Cpu.EnableInterrupts();
            info->UsableBytes = PhysicalMemory.UsableBytes;
            info->FreeBytes = PhysicalMemory.FreeBytes;
            info->KernelHeapBytes = KernelHeap.BytesInUse;
            info->SipBytes = sipBytes;
            info->ExchangeBytes = Ipc.ExchangeHeap.BytesInUse;
            info->ExchangeBlocks = Ipc.ExchangeHeap.BlocksInUse;
            info->LiveSips = live;
        }
    }
}
