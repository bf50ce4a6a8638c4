namespace Singularity.Kernel.Memory
{
    /// <summary>
    /// Physical memory SIPs can never take: what the kernel needs to keep working for everyone
    /// (its heap for new channels, events, threads and SIP records; failure and log strings)
    /// when one SIP has taken everything it was allowed. Memory granted on a SIP's behalf (heap
    /// pages, exchange blocks, thread stacks, images) is refused before free memory would drop
    /// below it, so exhaustion is that SIP's error and never a kernel-heap panic.
    /// </summary>
    internal static class KernelReserve
    {
        /// <summary>1/32 of usable memory, at least 4 MiB.</summary>
        public static ulong Bytes
        {
            get
            {
                ulong share = PhysicalMemory.UsableBytes / 32;
                return share > 4UL * 1024 * 1024 ? share : 4UL * 1024 * 1024;
            }
        }

        /// <summary>Whether <paramref name="bytes"/> more may go to a SIP and leave the reserve free.</summary>
        public static bool AllowsSipGrant(ulong bytes)
        {
            ulong free = PhysicalMemory.FreeBytes, reserve = Bytes;
            return free >= reserve && bytes <= free - reserve;
        }
    }
}
