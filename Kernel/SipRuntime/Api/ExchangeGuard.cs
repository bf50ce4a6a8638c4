using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Threading;
using Singularity.Abi;
using Singularity.Runtime;

namespace Singularity.Ipc
{
    /// <summary>
    /// Checks this SIP's accesses to exchange blocks without a kernel call. Each block has a header
    /// in a kernel table that never moves (Abi/ExchangeHeader.cs): its Key names the owning SIP (and
    /// the handle's generation) and is rewritten by the kernel on every change of owner. An access
    /// compares the Key with the one the block value carries, checks its range against the header's
    /// Length and loads or stores through the header's Data, with no kernel call in between. Nothing
    /// is counted: a thread of this SIP that the timer stops between its check and its load or store
    /// is marked by the kernel, and a block such a thread may still touch (its saved state points at
    /// the block) goes to nobody when another thread sends or frees it: the receiver gets a copy, the
    /// memory stays parked with this SIP until that thread has moved on (docs/channels.md "Exchange
    /// heap", Kernel/Kernel/Ipc/ExchangeQuarantine.cs).
    /// </summary>
    /// <unsafe>The directory pointer is the kernel's (ExchangeHeaders ABI call at start-up): a fixed
    /// array of DirectoryChunks chunk pointers, each null or ChunkSlots headers that are never freed.
    /// Header() bounds the slot against the directory and checks the chunk; a header's Data and
    /// Length describe the block's memory whenever its Key is this SIP's (the kernel writes them
    /// before the Key), and the kernel's quarantine keeps that memory from any other owner for as
    /// long as a thread that checked the Key may still use it. An ExBlock caches its header pointer,
    /// found through the directory when the value was made (from a kernel-issued handle); null (the
    /// null block) faults on the Key read, in page 0, which is never mapped: a NullReferenceException.</unsafe>
    internal static unsafe class ExchangeGuard
    {
        private static ExchangeHeader** s_directory;
        private static uint s_sipId;

        /// <summary>At start-up, before any block exists in this SIP: the directory is never null afterwards (the kernel's is a fixed allocation).</summary>
        public static void Initialize()
        {
            s_directory = KernelCalls.Abi->ExchangeHeaders();
            if (s_directory == null) KernelCalls.Fail("no exchange-block header directory", 0);
            s_sipId = (uint)KernelCalls.Info->SipId;
        }

        /// <summary>The header of the slot <paramref name="handle"/> names, or null. Any value is safe.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ExchangeHeader* Header(ulong handle)
        {
            // One test for both: a block-kind handle whose slot is inside the directory (below 2^20).
            if ((handle & (ChannelMessage.KindMask | SlotHighBits)) != ChannelMessage.KindBlock) return null;
            uint slot = (uint)handle;
            ExchangeHeader* chunk = s_directory[slot >> ExchangeHeader.ChunkShift];
            return chunk == null ? null : chunk + (slot & (ExchangeHeader.ChunkSlots - 1));
        }

        // The bits of a handle's 32-bit slot field at and above the directory's size.
        private const ulong SlotHighBits = 0xFFFFFFFFUL & ~(ulong)(ExchangeHeader.DirectoryChunks * ExchangeHeader.ChunkSlots - 1);

        /// <summary>The handle of the block whose header is <paramref name="x"/> (not null) and whose key is <paramref name="key"/>: the slot the header is for, the key's generation.</summary>
        public static ulong HandleOf(ExchangeHeader* x, long key) =>
            ChannelMessage.KindBlock | ((ulong)key & ExchangeHeader.GenerationMask) | x->Slot;

        /// <summary>The key a header carries while this SIP owns the block <paramref name="handle"/> names.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static long KeyOf(ulong handle) => ExchangeHeader.KeyOf(handle, s_sipId);

        /// <summary>
        /// Checks an access may begin: the header's Key is this value's. Throws
        /// InvalidOperationException otherwise; a null header faults (NullReferenceException). The
        /// caller then checks the range and loads or stores through the header with no kernel call
        /// before it is done.
        /// </summary>
        /// <remarks>
        /// A plain load: the compiler may take the key, length and address once for a stretch of code
        /// without calls (a loop over the block that stores nothing), never across a call, since a
        /// call may change any memory. That is as sound as a load at every access: the window between
        /// the load and the last use is still free of kernel entries, so only the timer can stop the
        /// thread inside it, and the kernel's quarantine covers a stopped thread for as long as it
        /// holds the header's or the data's address (docs/channels.md "Exchange heap").
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Check(ExchangeHeader* x, long key)
        {
            if (x->Key != key) NotOwned();
        }

        // Not NoInlining: the compiler then sees that these never return (it does not inline a
        // method that only throws), so the failed checks are cold blocks out of the access's way
        // and no register has to be saved around them.
        public static void NotOwned() => throw new InvalidOperationException("this SIP does not own the exchange block (it was sent or freed)");

        public static void OutOfRange() => throw new IndexOutOfRangeException();
    }
}
