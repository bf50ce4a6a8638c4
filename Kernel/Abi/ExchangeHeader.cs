using System.Runtime.InteropServices;

namespace Singularity.Abi
{
    /// <summary>
    /// The header of one exchange-block slot, in a kernel table the runtime reads directly so an
    /// access to a block needs no kernel call (docs/channels.md "Exchange blocks"). The headers
    /// live in chunks of <see cref="ChunkSlots"/> that are never moved or freed, found through a
    /// fixed directory, so a stale header pointer still reads a header. Headers are outside every
    /// block's data: no bounds check of a block admits one. Compiled into the kernel and the runtime.
    /// </summary>
    /// <remarks>
    /// Key is written only by the kernel: when the block's owner changes (allocate, send, receive,
    /// free, reclaim) and when it parks a block a thread of its SIP may still be inside an access to
    /// (0; Data and Length stay until the block is freed: Kernel/Kernel/Ipc/ExchangeQuarantine.cs).
    /// The runtime reads it after the SIP's last kernel call before an access (a plain load, never
    /// moved across a call: ExchangeGuard.Check). Data and Length are written by the
    /// kernel before Key names a SIP.
    /// </remarks>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct ExchangeHeader
    {
        public const int ChunkShift = 10;
        public const int ChunkSlots = 1 << ChunkShift;
        public const int DirectoryChunks = (1 << 20) / ChunkSlots;   // the block table's largest size
        public const ulong GenerationMask = 0x3FFFFFFFUL << 32;    // a handle's generation bits
        public const uint InFlightOwner = 0xFFFFFFFF;              // no SIP has this id

        /// <summary>Handle generation bits | owner SIP id; 0 when the slot is free.</summary>
        public long Key;                                            // first: a null header pointer faults on it, in page 0 (ExchangeGuard.Check)
        public uint Slot;                                           // the slot's index, written once with the chunk (the runtime makes handles from it)
        public uint Length;
        public byte* Data;
        // To 32 bytes: a chunk starts on a 32-byte boundary (ExchangeHeap.AddHeaderChunks), so each
        // header, the three words an access reads included, lies in one cache line.
        public ulong Unused;

        /// <summary>Bytes per header (a power of two: headers never straddle a cache line).</summary>
        public const int Size = 32;

        /// <summary>The key of a block named by <paramref name="handle"/> and owned by <paramref name="owner"/>.</summary>
        public static long KeyOf(ulong handle, uint owner) => (long)((handle & GenerationMask) | owner);
    }
}
