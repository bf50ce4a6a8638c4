using System;
using System.Runtime.CompilerServices;
using System.Threading;
using Singularity.Abi;
using Singularity.Runtime;

namespace Singularity.Ipc
{
    /// <summary>
    /// Checks this SIP's accesses to exchange blocks without a kernel call, and keeps every access
    /// inside the time the SIP owns the block. Each block has a header in a kernel table that never
    /// moves (Abi/ExchangeHeader.cs): its Key names the owning SIP (and the handle's generation) and
    /// is rewritten by the kernel on every change of owner. An access checks the Key, counts itself
    /// in the header's Accessors, checks the Key again, and counts itself out. A free or send first
    /// marks the Key Leaving (new accesses fail) and waits until Accessors is 0, so no access of
    /// another thread of this SIP runs on into memory the kernel gives to someone else (its own
    /// heap, or the SIP that receives the block). Accesses are short and never block; a send that
    /// blocks in the kernel (a full queue) holds up only accesses to the blocks it carries, which fail.
    /// </summary>
    /// <unsafe>The directory pointer is the kernel's (ExchangeHeaders ABI call at start-up): a fixed
    /// array of DirectoryChunks chunk pointers, each null or ChunkSlots headers that are never freed.
    /// Header() bounds the slot against the directory and checks the chunk; a header's Data and
    /// Length describe the block's memory whenever its Key is this SIP's (the kernel writes them
    /// before the Key), and the Leaving protocol keeps that true for the duration of an access.</unsafe>
    internal static unsafe class ExchangeGuard
    {
        private static ExchangeHeader** s_directory;
        private static uint s_sipId;
        // A free or send gives up waiting for other threads' accesses after this many yields (an
        // access is a few instructions; only a SIP killed inside one leaves a count behind).
        private const int MaxWaits = 100000;

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

        /// <summary>The key a header carries while this SIP owns the block <paramref name="handle"/> names.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static long KeyOf(ulong handle) => ExchangeHeader.KeyOf(handle, s_sipId);

        /// <summary>
        /// Begins an access: the block is this SIP's and stays so until Exit. Throws
        /// InvalidOperationException otherwise. Every successful Enter is followed by one Exit.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Enter(ExchangeHeader* x, long key)
        {
            // A cheap refusal first, so a stale view never touches the count of another SIP's block.
            if (x == null || x->Key != key) NotOwned();
            Interlocked.ExchangeAdd(ref x->Accessors, 1);            // a full fence before the second read
            if (x->Key != key) { Interlocked.ExchangeAdd(ref x->Accessors, -1); NotOwned(); }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Exit(ExchangeHeader* x) => Interlocked.ExchangeAdd(ref x->Accessors, -1);

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void NotOwned() => throw new InvalidOperationException("this SIP does not own the exchange block (it was sent or freed)");

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void OutOfRange(ExchangeHeader* x)
        {
            Exit(x);
            throw new IndexOutOfRangeException();
        }

        /// <summary>
        /// Before the kernel frees or sends the block: marks it Leaving (new accesses fail) and
        /// returns once the running ones have ended. False when the block is not this SIP's or
        /// another transfer of it is under way (another thread frees or sends it, or it is twice in
        /// one message). Every true is followed by one EndTransfer.
        /// </summary>
        public static bool TryBeginTransfer(ExchangeHeader* x, long key)
        {
            if (x == null) return false;
            if (Interlocked.CompareExchange(ref x->Key, key | ExchangeHeader.Leaving, key) != key) return false;
            for (int waits = 0; x->Accessors != 0; waits++)
            {
                if (waits == MaxWaits) { EndTransfer(x, key); return false; }
                KernelCalls.Abi->Yield();
            }
            return true;
        }

        /// <summary>
        /// The kernel has answered: if it moved or freed the block it rewrote the Key already;
        /// if it refused, the block is still this SIP's (only this thread could move it while it
        /// was Leaving) and accesses may go on.
        /// </summary>
        public static void EndTransfer(ExchangeHeader* x, long key)
        {
            if (x != null) Interlocked.CompareExchange(ref x->Key, key, key | ExchangeHeader.Leaving);
        }
    }
}
