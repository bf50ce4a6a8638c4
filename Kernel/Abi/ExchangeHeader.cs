using System.Runtime.InteropServices;

namespace Singularity.Abi
{
    /// <summary>
    /// The header of one exchange-block slot, in a kernel table the runtime reads directly so an
    /// access to a block needs no kernel call (docs/channels.md "Exchange heap"). The headers
    /// live in chunks of <see cref="ChunkSlots"/> that are never moved or freed, found through a
    /// fixed directory, so a stale header pointer still reads a header. Headers are outside every
    /// block's data: no bounds check of a block admits one. Compiled into the kernel and the runtime.
    /// </summary>
    /// <remarks>
    /// Check is written only by the kernel: <c>Data ^ (owner's tag &lt;&lt; TagShift)</c> (CheckOf) on
    /// every change of owner (allocate, send, receive, free, reclaim), with tag 0 ("nobody": no SIP
    /// has it) while the block is parked (Kernel/Kernel/Ipc/ExchangeQuarantine.cs; Data and Length
    /// stay until it is freed); 0 itself (no tag, no address: the kernel writes it without reading
    /// the address) while it is in flight or free, which no SIP's check passes. A SIP's tag is unique among the SIPs whose
    /// records exist (Sip.ExchangeTag), and block addresses are below 2^TagShift (checked at boot),
    /// so Check names both the block's address and its owner: the runtime compares it with its
    /// value's data address xored with its own tag (ExchangeGuard.Check). Data, Length and
    /// HandleHigh are written by the kernel before Check names a SIP.
    /// </remarks>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct ExchangeHeader
    {
        public const int ChunkShift = 10;
        public const int ChunkSlots = 1 << ChunkShift;
        public const int DirectoryChunks = (1 << 20) / ChunkSlots;   // the block table's largest size
        public const ulong GenerationMask = 0x3FFFFFFFUL << 32;    // a handle's generation bits
        /// <summary>Where the owner's tag sits in Check: above every block address.</summary>
        public const int TagShift = 40;
        /// <summary>Tags are 1 to MaxTag (0 is nobody).</summary>
        public const uint MaxTag = (1u << (64 - TagShift)) - 1;

        /// <summary>Data ^ (owner's tag &lt;&lt; TagShift); the tag is 0 when no SIP owns the block.</summary>
        public ulong Check;                                         // first: a null header pointer faults on it, in page 0 (ExchangeGuard.Check)
        public uint Slot;                                           // the slot's index, written once with the chunk (the runtime makes handles from it)
        /// <summary>The upper half of the block's handle: its kind and generation (never generation 0: the runtime names no block with it).</summary>
        // Right after Slot: the two are the current block's handle as one aligned word (little-endian),
        // so the runtime compares a handle with its header, or makes one, with one load (issue 17).
        public uint HandleHigh;
        public byte* Data;
        public uint Length;
        // To 32 bytes: a chunk starts on a 32-byte boundary (ExchangeHeap.AddHeaderChunks), so each
        // header, the words an access reads included, lies in one cache line.
        public uint Unused;

        /// <summary>Bytes per header (a power of two: headers never straddle a cache line).</summary>
        public const int Size = 32;

        /// <summary>The check word of a block at <paramref name="data"/> owned by the SIP with <paramref name="tag"/> (0: nobody).</summary>
        /// <unsafe>Only turns the address into a number; nothing is read or written through it.</unsafe>
        public static ulong CheckOf(byte* data, uint tag) => (ulong)data ^ ((ulong)tag << TagShift);
    }
}
