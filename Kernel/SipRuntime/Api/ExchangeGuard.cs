using System;
using System.Runtime;
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
    /// is rewritten by the kernel on every change of owner. An access counts itself in this SIP's
    /// count of running accesses, checks the Key, and counts itself out. A free or send first marks
    /// the Key Leaving (new accesses fail) and waits until no access of this SIP runs, so no access of
    /// another thread runs on into memory the kernel gives to someone else (its own heap, or the SIP
    /// that receives the block). The count is one word per SIP, changed with one-instruction locked
    /// adds, inlined (no call): the system runs on one CPU (docs/scheduling.md), so only an interrupt can come
    /// between a thread's instructions, never inside one, and a thread preempted inside an access has
    /// the count above 0 until it runs again and leaves (docs/channels.md "Exchange blocks"). With
    /// more than one CPU the locked add stays sound but contended (one count per CPU would scale).
    /// </summary>
    /// <unsafe>The directory pointer is the kernel's (ExchangeHeaders ABI call at start-up): a fixed
    /// array of DirectoryChunks chunk pointers, each null or ChunkSlots headers that are never freed.
    /// Header() bounds the slot against the directory and checks the chunk; a header's Data and
    /// Length describe the block's memory whenever its Key is this SIP's (the kernel writes them
    /// before the Key), and the Leaving protocol keeps that true for the duration of an access.
    /// An ExBlock caches its header pointer, found through the directory when the value was made
    /// (from a kernel-issued handle): Enter checks it is not null and its Key, so a cached pointer is
    /// used only while the header says this SIP owns the block. Initialize writes the address of the count
    /// (a static of this image, which never moves) into the kernel's start-up info; the kernel checks it
    /// lies in this SIP's image before it reads it.</unsafe>
    internal static unsafe class ExchangeGuard
    {
        private static ExchangeHeader** s_directory;
        private static uint s_sipId;
        // A free or send gives up waiting for other threads' accesses after this many yields (an
        // access is a few instructions or one copy; only a SIP killed inside one leaves a count behind).
        private const int MaxWaits = 100000;

        /// <summary>At start-up, before any block exists in this SIP: the directory is never null afterwards (the kernel's is a fixed allocation).</summary>
        public static void Initialize()
        {
            s_directory = KernelCalls.Abi->ExchangeHeaders();
            if (s_directory == null) KernelCalls.Fail("no exchange-block header directory", 0);
            s_sipId = (uint)KernelCalls.Info->SipId;
            // The kernel reads the count (after checking it lies in this image) to send blocks
            // without the Leaving protocol while no access runs (RawEndpoint.Send).
            KernelCalls.Info->AccessCount = (int*)Unsafe.AsPointer(ref AccessCount.Running);
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

        // This SIP's accesses in progress, all threads together. Changed only by the one-instruction
        // locked adds below (ilc expands the Interlocked intrinsic inline, `lock add` when the result is
        // unused): no interrupt can split one, and no call is made, so an access compiles to a few
        // instructions with its operands in registers. (A C# ++ would be a load and a store, which an
        // interrupt can come between.)
        // The word is the only static of its class (AccessCount), so its address is that class's
        // statics base: one `lea` and the `lock` instruction.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void CountIn() => Interlocked.ExchangeAdd(ref AccessCount.Running, 1);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void CountOut() => Interlocked.ExchangeAdd(ref AccessCount.Running, -1);
        // Read in a loop around a kernel call (Yield), so each round reads the word again.
        private static int Running() => AccessCount.Running;

        private static class AccessCount
        {
            public static int Running;
        }

        /// <summary>
        /// Begins an access: the block is this SIP's and stays so until Exit. Throws
        /// InvalidOperationException otherwise. Every successful Enter is followed by one Exit.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Enter(ExchangeHeader* x, long key)
        {
            // Counted in before the key is read: a free or send that marks the key Leaving after
            // this read waits for the count; one that marked it before makes this read fail.
            if (x == null) NotOwned();
            CountIn();
            if (x->Key != key) { CountOut(); NotOwned(); }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Exit(ExchangeHeader* x) => CountOut();

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
            // This thread is inside no access: a count above 0 is another thread's, preempted inside
            // one; it leaves once it runs again.
            for (int waits = 0; Running() != 0; waits++)
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
