using System.Runtime.InteropServices;

namespace Singularity.Abi
{
    /// <summary>One SIP, as the SipList entry point reports it.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct SipInfo
    {
        public const int NameLength = 32;
        public int Id;
        public int State;               // 0 running, 1 exited, 2 failed
        public int Threads;
        public int ExitCode;
        public ulong HeapBytes;
        public ulong HeapQuota;
        public ulong ExchangeBytes;
        public fixed byte Name[NameLength];
    }

    /// <summary>System memory, as the MemoryInfo entry point reports it.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MemoryInfo
    {
        public ulong UsableBytes;
        public ulong FreeBytes;
        public ulong KernelHeapBytes;
        public ulong SipBytes;
        public ulong ExchangeBytes;
        public ulong ExchangeBlocks;
        public int LiveSips;
        public int Reserved;
    }
}
