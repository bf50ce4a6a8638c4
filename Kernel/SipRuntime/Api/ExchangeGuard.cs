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
    /// in a kernel table that never moves (Abi/ExchangeHeader.cs): its Check word is the block's
    /// address xored with the owning SIP's tag (0, nobody, in flight, parked or free), rewritten by
    /// the kernel on every change of owner. A block value carries the header's address and the
    /// block's data address D; an access compares the header's Check with D ^ this SIP's tag, checks
    /// its range against the header's Length and loads or stores at D, with no kernel call in
    /// between. Nothing is counted: a thread of this SIP that the timer stops between its check and
    /// its load or store is marked by the kernel, and a block such a thread may still touch (its
    /// saved state points at the block) goes to nobody when another thread sends or frees it: the
    /// receiver gets a copy, the memory stays parked with this SIP until that thread has moved on
    /// (docs/channels.md "Exchange heap", Kernel/Kernel/Ipc/ExchangeQuarantine.cs).
    /// </summary>
    /// <unsafe>The directory pointer is the kernel's (ExchangeHeaders ABI call at start-up): a fixed
    /// array of DirectoryChunks chunk pointers, each null or ChunkSlots headers that are never freed.
    /// Header() bounds the slot against the directory and checks the chunk. The kernel writes a
    /// header's Data, Length and HandleHigh before its Check names a SIP, keeps block addresses below
    /// 2^TagShift and gives each SIP a tag no other SIP with a record holds, so a Check equal to
    /// D ^ (this SIP's tag &lt;&lt; TagShift) says: this header's block is at D, its Length is its
    /// length, and it is this SIP's; the kernel's quarantine keeps that memory from any other owner
    /// for as long as a thread that checked may still use it. A header pointer is null (the null
    /// block: the Check read faults in page 0, never mapped: a NullReferenceException) or one
    /// Header() gave; D is a header's Data as read when the value was made (or null). Last (the
    /// header GetBlock found last) is only ever s_none (a static the collector never moves, its
    /// Slot and HandleHigh all ones, which no handle equals) or a header the directory gave, so a
    /// value a racing thread stored is still a header, and GetBlock's compare of its handle word
    /// with the handle decides as it does for the directory's.</unsafe>
    internal static unsafe class ExchangeGuard
    {
        // The statics the hot paths read each sit first in their class: the compiler addresses a
        // class's first static with one RIP-relative operand, any other through a register loaded
        // with the class's base first (one instruction more per use).
        // This SIP's tag where a header's Check holds it: an access compares Check with D ^ s_tagBits.
        private static ulong s_tagBits;
        private static ExchangeHeader** s_directory;

        // The header GetBlock found last, so a block that comes back (a buffer going back and forth
        // over a channel) is found with one compare of its handle against that header's, without the
        // directory. Only ever a header the directory gave (chunks are never freed) or s_none, so
        // whatever a racing thread stored, it is a header, and the compare decides. In a class of
        // its own, so that it too is a first static.
        private static class Found
        {
            public static ExchangeHeader* Last;
        }

        // Before the first: a header no handle equals (Slot and HandleHigh all ones: no block or
        // endpoint handle has them), Check 0 and Data null, so nothing passes through it.
        private static ExchangeHeader s_none;

        /// <summary>The header GetBlock found last (never null): compared with a handle before the directory is asked.</summary>
        public static ExchangeHeader* Last
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Found.Last;
            [MethodImpl(MethodImplOptions.AggressiveInlining)] set => Found.Last = value;
        }

        /// <summary>At start-up, before any block exists in this SIP: the directory is never null afterwards (the kernel's is a fixed allocation).</summary>
        public static void Initialize()
        {
            s_none.Slot = uint.MaxValue;
            s_none.HandleHigh = uint.MaxValue;
            Found.Last = (ExchangeHeader*)Unsafe.AsPointer(ref s_none);   // a static: the collector never moves it
            s_directory = KernelCalls.Abi->ExchangeHeaders();
            if (s_directory == null) KernelCalls.Fail("no exchange-block header directory", 0);
            uint tag = (uint)KernelCalls.Info->ExchangeTag;
            // 0 is nobody's tag: with it every block in flight, parked or free would pass.
            if (tag == 0 || tag > ExchangeHeader.MaxTag) KernelCalls.Fail("no exchange-block owner tag", 0);
            s_tagBits = (ulong)tag << ExchangeHeader.TagShift;
        }

        /// <summary>The header of the slot <paramref name="handle"/> names, or null. Any value is safe.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ExchangeHeader* Header(ulong handle)
        {
            // One test for both: a block-kind handle whose slot is inside the directory (below 2^20).
            if ((handle & BlockInDirectoryMask) != ChannelMessage.KindBlock) return null;
            return HeaderInDirectory((uint)handle);
        }

        /// <summary>The header of <paramref name="slot"/> (below the directory's size: the caller's BlockInDirectoryMask test), or null if no chunk holds it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ExchangeHeader* HeaderInDirectory(uint slot)
        {
            ExchangeHeader* chunk = ChunkOf(slot);
            return chunk == null ? null : chunk + (slot & (ExchangeHeader.ChunkSlots - 1));
        }

        /// <summary>The chunk of headers holding <paramref name="slot"/> (below the directory's size: the caller's BlockInDirectoryMask test), or null.</summary>
        /// <unsafe>Indexes the directory with <c>slot &gt;&gt; ChunkShift</c> masked below DirectoryChunks (the
        /// callers' test already keeps it there; the mask makes any value safe); the chunk, if any, holds ChunkSlots headers.</unsafe>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ExchangeHeader* ChunkOf(uint slot) => s_directory[(slot >> ExchangeHeader.ChunkShift) & (ExchangeHeader.DirectoryChunks - 1)];

        /// <summary>A handle masked with this is KindBlock exactly when it is block-kind and its slot is inside the directory.</summary>
        public const ulong BlockInDirectoryMask = ChannelMessage.KindMask | SlotHighBits;

        // The bits of a handle's 32-bit slot field at and above the directory's size.
        private const ulong SlotHighBits = 0xFFFFFFFFUL & ~(ulong)(ExchangeHeader.DirectoryChunks * ExchangeHeader.ChunkSlots - 1);

        /// <summary>
        /// The handle of the block at <paramref name="data"/> whose header is <paramref name="x"/> (not
        /// null), made from the header (its slot and its handle's upper half) if this SIP owns that
        /// block; else the slot with generation 0, which the kernel never gives a block, so a free or
        /// send of a value kept after its block was sent or freed names no block (as a stale handle did).
        /// </summary>
        /// <remarks>Inlined (each Add of a block): the header's slot and upper half are the handle as
        /// the kernel wrote them (HandleHigh holds the kind), so an owned block's handle is the two
        /// words joined, no masking; whatever they hold, the kernel checks the handle it is given.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong HandleOf(ExchangeHeader* x, byte* data)
        {
            ulong handle = HandleWord(x);
            // The owned block first: the compiler then branches over the rare rewrite (one jump
            // taken) rather than jumping back from it to the join.
            if (x->Check == ((ulong)data ^ s_tagBits)) return handle;
            return ChannelMessage.KindBlock | (uint)handle;
        }

        /// <summary>The header's Slot and HandleHigh as one word: the handle of its current block.</summary>
        /// <unsafe>One aligned 8-byte load at the header's Slot, which HandleHigh directly follows (ExchangeHeader).</unsafe>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong HandleWord(ExchangeHeader* x) => *(ulong*)&x->Slot;

        /// <summary>
        /// The data address a value made from <paramref name="handle"/> carries, for its header
        /// <paramref name="x"/> (not null): the header's, or null if the handle's generation is not the
        /// block's (a stale or guessed handle number), so its accesses fail as they did when the value
        /// carried the generation. Only this SIP's own blocks are at stake: whatever address a value
        /// carries, its accesses pass only where the header's check word names it and this SIP.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static byte* DataFor(ExchangeHeader* x, ulong handle) =>
            x->HandleHigh == (uint)(handle >> 32) ? x->Data : null;

        /// <summary>
        /// Checks an access may begin: the header's Check is <paramref name="data"/> ^ this SIP's tag,
        /// so the header's block is at <paramref name="data"/> and this SIP's. Throws
        /// InvalidOperationException otherwise; a null header faults (NullReferenceException). The
        /// caller then checks the range against the header's Length and loads or stores at
        /// <paramref name="data"/> with no kernel call before it is done.
        /// </summary>
        /// <remarks>
        /// A plain load: the compiler may take the check word (and the xor with the tag, a static
        /// only start-up writes) once for a stretch of code without calls (a loop over the block that
        /// stores nothing), never across a call, since a call may change any memory. That is as sound
        /// as a load at every access: the window between the load and the last use is still free of
        /// kernel entries, so only the timer can stop the thread inside it, and the kernel's
        /// quarantine covers a stopped thread for as long as it holds the header's or the data's
        /// address (docs/channels.md "Exchange heap").
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Check(ExchangeHeader* x, byte* data)
        {
            if (x->Check != ((ulong)data ^ s_tagBits)) NotOwned();
        }

        // Not NoInlining: the compiler then sees that these never return (it does not inline a
        // method that only throws), so the failed checks are cold blocks out of the access's way
        // and no register has to be saved around them.
        public static void NotOwned() => throw new InvalidOperationException("this SIP does not own the exchange block (it was sent or freed)");

        public static void OutOfRange() => throw new IndexOutOfRangeException();
    }
}
