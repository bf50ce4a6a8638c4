using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.Ipc
{
    /// <summary>
    /// The exchange heap: memory that moves between SIPs by ownership instead of by copying.
    /// Every block has exactly one owner: a SIP, or a message in flight on a channel. A block
    /// is named by a handle (slot index and generation), so a stale or forged handle finds
    /// nothing. When a SIP dies, every block it owns is freed. Only the SIP's trusted runtime gets a
    /// block's address (Access); its exchange guard checks each access against the block's header (owner and address), and a
    /// block another thread of the SIP may still be inside an access to is parked, not handed on
    /// (ExchangeQuarantine.cs).
    /// Every block is charged to one SIP's account (docs/accounting.md): its owner's, or while it
    /// is in flight its sender's, so a flood of messages nobody receives counts against the
    /// sender's exchange grant; the charge moves to the receiver when it takes the block.
    /// </summary>
    internal static unsafe partial class ExchangeHeap
    {
        // The block table (NewTable: its capacity in the word before its first entry), the only
        // static of its own class (as Scheduler's hand-off words): every block check and hand-over
        // loads it, and a static at offset 0 of its class's block is one RIP-relative load, where
        // the first of ExchangeHeap's statics still took a `lea` of their block first.
        private static class TableWord { public static Block* Value; }
        private static ref Block* s_blocks => ref TableWord.Value;

        public const int InFlight = -1;             // owner while a message carries the block
        private const int InitialCapacity = 16384;  // slots; the table doubles when full (more than four SIPs at their block limit)
        private const int MaxCapacity = 1 << 20;
        // 64 bytes: a slot's entry is found with a shift. What a hand-over reads and writes is kept
        // ready here (Key, Held, Header), not re-derived per hop (docs/channels.md "Lean blocks").
        // Internal only so that a check can hand the entry it found to the hand-over (EntryOf,
        // TransferEntry); nothing outside this class reads or writes its fields.
        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Size = 64)]
        internal struct Block
        {
            public byte* Data;
            public ulong Length;
            public int Owner;                       // SIP id, InFlight, or 0 when the slot is free
            // The upper half of the block's handle: KindBlock's bits and the generation (never 0
            // once claimed: a never-used slot's Key is 0, which no block handle has). One compare of
            // a handle's upper half with it checks both the kind and the generation.
            public uint Key;
            public int Charged;                     // while no SIP owns it (in flight, parked): the SIP id charged for it (ChargedOf)
            public int DmaOrigin;                   // a DMA block: the id of the driver SIP that allocated it
            public ulong DmaPages;                  // a DMA block: whole frames from PhysicalMemory (0 for an ordinary block)
            public ulong Held;                      // SipAccount.Held(Length): what a hand-over moves between counts
            public ExchangeHeader* Header;          // its header (Header(slot), kept from Claim on)
            public int NextParked;                  // a parked block: the next one's slot + 1 (ExchangeQuarantine.cs)
        }

        private const uint KeyKind = (uint)(Abi.ChannelMessage.KindBlock >> 32);

        // The I/O layer's DMA hooks (Boot/Kernel.cs ConnectLayers; IO/DmaBuffers.cs): a DMA block
        // gained or lost a SIP owner (the IOMMU maps or unmaps it for that SIP's device), and a DMA
        // block's frames are about to go (true: the I/O layer keeps them until the device that may
        // still reach them is quiesced). Interrupts off.
        private static delegate*<Sip, ulong, ulong, bool, void> s_dmaOwner;
        private static delegate*<int, ulong, ulong, bool> s_dmaRetire;

        public static void SetDmaHooks(delegate*<Sip, ulong, ulong, bool, void> owner, delegate*<int, ulong, ulong, bool> retire)
        {
            s_dmaOwner = owner;
            s_dmaRetire = retire;
        }

        // The table's capacity is also in the word before its first entry (the table has one entry
        // more, in front): a slot's check reads it through the table pointer it loads anyway, not
        // through a second static's address (TableCapacity).
        private static int s_capacity;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static uint TableCapacity(Block* table) => ((uint*)table)[-1];

        // A table of `capacity` entries with the capacity in front, or null. Interrupts off or at start-up.
        private static Block* NewTable(int capacity)
        {
            var raw = (Block*)KernelHeap.TryAllocate((ulong)(capacity + 1) * (ulong)sizeof(Block));
            if (raw == null) return null;
            ((uint*)(raw + 1))[-1] = (uint)capacity;
            return raw + 1;
        }
        // The runtime-visible headers (Abi/ExchangeHeader.cs): chunks never move or go away, so a
        // runtime holding a header pointer always reads a header, whatever became of its block.
        private static ExchangeHeader** s_headers;
        private static int s_freeHint;
        private static ulong s_bytes, s_count;

        public static ulong BytesInUse => s_bytes;
        public static ulong BlocksInUse => s_count;

        public static void Initialize()
        {
            if (sizeof(ExchangeHeader) != ExchangeHeader.Size) Panic.Halt("exchange heap: a block header is not ExchangeHeader.Size bytes");
            if (sizeof(Block) != 64) Panic.Halt("exchange heap: a slot's entry is not 64 bytes");
            Block probe = default;
            if ((byte*)&probe.Key != (byte*)&probe.Owner + 4) Panic.Halt("exchange heap: a slot's Key does not follow its Owner (OwnerAndKey)");
            // A header's check word holds the block's address below the owner's tag (ExchangeHeader.CheckOf):
            // every block (kernel heap or DMA frames, identity-mapped) must lie below 2^TagShift.
            if (PhysicalMemory.HighestAddress > 1UL << ExchangeHeader.TagShift) Panic.Halt("exchange heap: memory above 1 TiB (block addresses must stay below the owner tag in a header's check word)");
            s_blocks = NewTable(InitialCapacity);
            if (s_blocks == null) Panic.Halt("exchange heap: no memory for the block table");
            s_headers = (ExchangeHeader**)KernelHeap.Allocate((ulong)(ExchangeHeader.DirectoryChunks * sizeof(ExchangeHeader*)));
            for (int c = 0; c < ExchangeHeader.DirectoryChunks; c++) s_headers[c] = null;
            if (!AddHeaderChunks(0, InitialCapacity)) Panic.Halt("exchange heap: no memory for block headers");
            s_capacity = InitialCapacity;
        }

        /// <summary>The fixed directory of header chunks the runtime reads (ExchangeHeaderTable).</summary>
        public static ExchangeHeader** HeaderDirectory => s_headers;

        // Zeroed header chunks for slots [from, to). Interrupts off or at start-up.
        private static bool AddHeaderChunks(int from, int to)
        {
            for (int c = from >> ExchangeHeader.ChunkShift; c < (to >> ExchangeHeader.ChunkShift); c++)
            {
                if (s_headers[c] != null) continue;
                // One header more than the chunk holds, so the chunk can start on a 32-byte boundary
                // (the heap's large blocks start 16 bytes into a page): each header then lies in one
                // cache line. Chunks are never freed, so the allocation's own address is not kept.
                ulong bytes = (ulong)(ExchangeHeader.ChunkSlots * sizeof(ExchangeHeader) + ExchangeHeader.Size);
                byte* raw = (byte*)KernelHeap.TryAllocate(bytes);
                if (raw == null) return false;
                var chunk = (ExchangeHeader*)(((ulong)raw + ExchangeHeader.Size - 1) & ~(ulong)(ExchangeHeader.Size - 1));
                for (int i = 0; i < ExchangeHeader.ChunkSlots; i++) { chunk[i] = default; chunk[i].Slot = (uint)(c * ExchangeHeader.ChunkSlots + i); }
                s_headers[c] = chunk;
            }
            return true;
        }

        // Unsigned (a slot is never negative): no sign extensions in every transfer's header address.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static ExchangeHeader* Header(int slot) => s_headers[(uint)slot >> ExchangeHeader.ChunkShift] + ((uint)slot & (ExchangeHeader.ChunkSlots - 1));

        private static ulong HandleOf(int slot) => ((ulong)s_blocks[slot].Key << 32) | (uint)slot;

        // The slot a handle names, or -1 if it names no live block. Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static int Slot(ulong handle)
        {
            uint slot = (uint)handle;
            if (slot >= (uint)s_capacity) return -1;
            // The key compare checks the kind too (every claimed slot's key has KindBlock's bits).
            if (s_blocks[slot].Owner == 0 || s_blocks[slot].Key != (uint)(handle >> 32)) return -1;
            return (int)slot;
        }

        /// <summary>
        /// A zeroed block owned by <paramref name="sip"/>, or 0: a length of 0 or over 64 MiB, the
        /// SIP's exchange quota or block count reached, or memory (less the kernel's reserve) short.
        /// </summary>
        public static ulong Allocate(Sip sip, ulong length)
        {
            if (length == 0 || length > 64UL * 1024 * 1024) return 0;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            ulong handle = 0;
            if (s_parkedCount != 0) ReleaseParked(sip, false);
            // Checked with interrupts off, so two threads of one SIP cannot both pass the quota; the
            // grant's block count keeps one SIP (and those it started) from filling the table.
            if (sip.Account.Fits(Charge.Blocks, 1) && sip.Account.Fits(Charge.Exchange, length)
                && KernelReserve.AllowsSipGrant(length + 4096))
            {
                int slot = FreeSlot();
                void* data = slot < 0 ? null : KernelHeap.TryAllocate(length);
                if (data != null) handle = Claim(sip, slot, (byte*)data, length);
            }
            Restore(flags);
            return handle;
        }

        // Makes the free `slot` a block of `length` bytes at `data`, owned by and charged to `sip`
        // (its quota was checked); returns its handle. Interrupts off.
        private static ulong Claim(Sip sip, int slot, byte* data, ulong length)
        {
            sip.Account.Force(Charge.Blocks, 1);
            sip.Account.Force(Charge.Exchange, length);
            s_blocks[slot].Charged = sip.Id;
            s_blocks[slot].Data = data;
            s_blocks[slot].Length = length;
            s_blocks[slot].Held = SipAccount.Held(length);
            s_blocks[slot].Owner = sip.Id;
            // Never generation 0 (in the handle's 30 bits): the runtime names no block with it (ExchangeGuard.HandleOf).
            uint generation = (s_blocks[slot].Key + 1) & 0x3FFFFFFF;
            if (generation == 0) generation = 1;
            s_blocks[slot].Key = KeyKind | generation;
            // Address, length and handle first, then the check word that gives them to the SIP.
            ExchangeHeader* x = Header(slot);
            s_blocks[slot].Header = x;
            x->Data = data;
            x->Length = (uint)length;
            x->HandleHigh = (uint)(HandleOf(slot) >> 32);
            x->Check = ExchangeHeader.CheckOf(data, sip.ExchangeTag);
            s_freeHint = slot + 1;
            sip.ExchangeHeld += SipAccount.Held(length);
            s_bytes += length;
            s_count++;
            return HandleOf(slot);
        }

        /// <summary>
        /// A zeroed DMA block owned by the driver <paramref name="sip"/>: whole physically contiguous
        /// frames (<paramref name="length"/> rounded up to pages, at most 4 MiB), charged to the
        /// SIP's exchange quota at their full size; 0 when it does not fit. The block's address is
        /// its physical address (the kernel's memory is identity-mapped). The caller checked that the
        /// SIP holds a PCI device.
        /// </summary>
        public static ulong AllocateDma(Sip sip, ulong length, out ulong physical)
        {
            physical = 0;
            if (length == 0 || length > MaxDmaBytes) return 0;
            ulong pages = (length + PhysicalMemory.PageSize - 1) / PhysicalMemory.PageSize;
            ulong bytes = pages * PhysicalMemory.PageSize;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            ulong handle = 0;
            if (sip.Account.Fits(Charge.Blocks, 1) && sip.Account.Fits(Charge.Exchange, bytes)
                && KernelReserve.AllowsSipGrant(bytes + 4096))
            {
                int slot = FreeSlot();
                ulong frames = slot < 0 ? 0 : PhysicalMemory.AllocateContiguous(pages);
                if (frames != 0)
                {
                    s_blocks[slot].DmaPages = pages;
                    s_blocks[slot].DmaOrigin = sip.Id;
                    s_dmaBytes += bytes;
                    handle = Claim(sip, slot, (byte*)frames, bytes);
                    physical = frames;
                    if (s_dmaOwner != null) s_dmaOwner(sip, frames, pages, true);
                }
            }
            Restore(flags);
            return handle;
        }

        /// <summary>The largest DMA block (4 MiB: a ring or queue buffer; contiguous frames are scarce).</summary>
        public const ulong MaxDmaBytes = 4UL * 1024 * 1024;

        private static ulong s_dmaBytes;
        /// <summary>Bytes in DMA blocks (part of BytesInUse).</summary>
        public static ulong DmaBytesInUse => s_dmaBytes;

        /// <summary>The physical address and pages of a DMA block <paramref name="owner"/> owns, or false.</summary>
        public static bool DmaBlockOf(ulong handle, int owner, out ulong physical, out ulong pages)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int slot = Slot(handle);
            bool ok = slot >= 0 && s_blocks[slot].Owner == owner && s_blocks[slot].DmaPages != 0;
            physical = ok ? (ulong)s_blocks[slot].Data : 0;
            pages = ok ? s_blocks[slot].DmaPages : 0;
            Restore(flags);
            return ok;
        }

        // A free slot, doubling the table when every slot is taken; -1 if it cannot grow. Interrupts off.
        private static int FreeSlot()
        {
            for (int i = 0; i < s_capacity; i++)
            {
                int slot = (s_freeHint + i) % s_capacity;
                if (s_blocks[slot].Owner == 0) return slot;
            }
            if (s_capacity >= MaxCapacity) return -1;
            int bigger = s_capacity * 2;
            if (!AddHeaderChunks(s_capacity, bigger)) return -1;
            Block* table = NewTable(bigger);
            if (table == null) return -1;
            for (int i = 0; i < s_capacity; i++) table[i] = s_blocks[i];
            KernelHeap.Free(s_blocks - 1);
            s_blocks = table;
            int first = s_capacity;
            s_capacity = bigger;
            return first;
        }

        /// <summary>The block's data and length if <paramref name="owner"/> owns it, else null.</summary>
        public static byte* Access(int owner, ulong handle, out ulong length)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();            // the table may grow (and move) under another thread
            int slot = Slot(handle);
            byte* data = null;
            length = 0;
            if (slot >= 0 && s_blocks[slot].Owner == owner) { length = s_blocks[slot].Length; data = s_blocks[slot].Data; }
            Restore(flags);
            return data;
        }

        public static bool IsOwnedBy(ulong handle, int owner) => OwnedSlot(handle, owner) >= 0;

        /// <summary>
        /// Whether the live <paramref name="sip"/> owns the block <paramref name="handle"/> names
        /// (its id is never 0, so a free slot, owner 0, is never its own): the channel fast path's and
        /// the one-block send's check of the block it hands over; its entry is then EntryOf(handle). Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static bool IsSipOwned(ulong handle, Sip sip)
        {
            uint slot = (uint)handle;
            // s_blocks read as such each time (no local copy): the compiler loads it once. Owner
            // and Key as one word (OwnerAndKey) xor the handle: its low half is the owner xor the
            // slot, its upper half the key xor the handle's, so one compare checks both.
            return slot < TableCapacity(s_blocks) && (OwnerAndKey(s_blocks + slot) ^ handle) == ((uint)sip.Id ^ slot);
        }

        // Owner and Key, adjacent (Block's layout, checked at start-up), read as one word: the owner below.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static ulong OwnerAndKey(Block* b) => *(ulong*)&b->Owner;

        /// <summary>The entry of a block IsSipOwned vouched for (its slot is the handle's low half), interrupts off since.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static Block* EntryOf(ulong handle) => s_blocks + (uint)handle;

        /// <summary>Whether the block is a DMA block (its hand-over tells the I/O layer: TransferEntry's rare case).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static bool IsDma(Block* b) => b->DmaPages != 0;

        /// <summary>The block's charge as a Held word (SipAccount.Held of its length).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static ulong HeldOf(Block* b) => b->Held;

        /// <summary>
        /// TransferEntry from SIP to SIP of a block that is not a DMA block and whose accounts'
        /// move is the usual one (SipAccount.HoldsPlainly, SharesParent), both tested before anything changed
        /// (so this has no branch and no call), interrupts off since:
        /// the owner, the check-word rewrite, the two SIPs' counts and the two accounts' words. Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static void MovePlainly(Block* b, Sip fromSip, Sip toSip)
        {
            b->Owner = toSip.Id;
            b->Header->Check = (ulong)b->Data ^ toSip.ExchangeKey;     // CheckOf, a SIP on both sides
            ulong held = b->Held;
            fromSip.ExchangeHeld -= held;
            toSip.ExchangeHeld += held;
            fromSip.Account.MovePlainly(toSip.Account, held);
        }

        /// <summary>The slot of the block <paramref name="handle"/> names if <paramref name="owner"/> owns it, else -1. Interrupts off.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static int OwnedSlot(ulong handle, int owner)
        {
            // Slot's checks, the table read once through one block pointer (every send checks each
            // block here): the key compare checks the kind and the generation at once.
            uint slot = (uint)handle;
            if (slot >= TableCapacity(s_blocks)) return -1;
            Block* b = s_blocks + slot;
            int o = b->Owner;
            // A free slot's owner is 0, which names no owner.
            return o == owner && o != 0 && b->Key == (uint)(handle >> 32) ? (int)slot : -1;
        }

        /// <summary>
        /// A block that arrived in a queued message becomes <paramref name="sip"/>'s: its slot is the
        /// handle's own and it is in flight, by construction, so nothing is checked again: the
        /// handle was checked (kind, generation, owner, slot within the table) when the message was
        /// sent, the queue's copy is the kernel's own, an in-flight block is reached only through
        /// its one queued message, and the table never shrinks. One check-word rewrite and the
        /// counts (TransferEntry). Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static void TakeArrived(ulong handle, Sip sip)
        {
            TransferEntry(s_blocks + (uint)handle, null, sip.Id, sip);
        }

        /// <summary>Moves a block from one owner to another (SIP id or InFlight). False if <paramref name="from"/> does not own it. Interrupts off.</summary>
        public static bool Transfer(ulong handle, int from, Sip fromSip, int to, Sip toSip)
        {
            int slot = OwnedSlot(handle, from);
            if (slot < 0) return false;
            TransferAt(slot, fromSip, to, toSip);
            return true;
        }

        /// <summary>
        /// Transfer of a block whose slot OwnedSlot found for the sender, with interrupts off since
        /// (so it is still the sender's): not looked up again. Every send, receive, Call and reply
        /// pays it once per block, so the common hops are inline and short: the check-word rewrite,
        /// then only what changes. Into flight: the sender's counts, and the sender recorded as the
        /// SIP charged (ChargedOf). Out of flight: the receiver's counts and the charge moved from
        /// the sender's account (ChargeMoved). Straight from one SIP to another: both SIPs' counts
        /// and one move between their accounts (SipAccount.MoveHeldTo); the SIP charged is the
        /// owner, by construction, so nothing about the charge is read or written. A DMA block goes
        /// to one cold call.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static void TransferAt(int slot, Sip fromSip, int to, Sip toSip) => TransferEntry(s_blocks + (uint)slot, fromSip, to, toSip);

        /// <summary>TransferAt of the entry a check found (IsSipOwned and EntryOf), interrupts off since. Interrupts off.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static void TransferEntry(Block* b, Sip fromSip, int to, Sip toSip)
        {
            b->Owner = to;
            // Callers pass a constant null for the in-flight side, so these branches fold at each call site.
            if (fromSip != null && toSip != null)
            {
                b->Header->Check = (ulong)b->Data ^ toSip.ExchangeKey;   // CheckOf, no null test: a SIP on both sides
                // From its owner, the SIP charged (ChargedOf: nothing to read or write), not DMA: the
                // usual. Within one SIP (its own channel) the subtracts and adds below cancel out.
                if (b->DmaPages != 0) { MovedRare(b, fromSip, toSip); return; }
                // Count and bytes in one word each (Held): one subtract, one add per side.
                ulong held = b->Held;
                fromSip.ExchangeHeld -= held;
                toSip.ExchangeHeld += held;
                fromSip.Account.MoveHeldTo(toSip.Account, held);
                return;
            }
            if (toSip == null)
            {
                // Into flight: check word 0, nobody's, as a freed block's (no SIP's tag and no block
                // address give it), so the address is not read. The length only in the rare case.
                b->Header->Check = 0;
                if (b->DmaPages != 0) { MovedRare(b, fromSip, null); return; }
                if (fromSip == null) return;
                // The charge stays the sender's, recorded now that no SIP owns the block.
                fromSip.ExchangeHeld -= b->Held;
                b->Charged = fromSip.Id;
                return;
            }
            b->Header->Check = (ulong)b->Data ^ toSip.ExchangeKey;       // CheckOf
            if (b->DmaPages != 0) { MovedRare(b, fromSip, toSip); return; }
            // Received from flight: the charge moves to the receiver (it cannot be refused: the message is taken).
            toSip.ExchangeHeld += b->Held;
            // `to` is toSip's id (out of flight only from TakeArrived): not loaded again.
            int was = b->Charged;
            if (was == to) return;                                           // back to the SIP charged (a reply, its own channel)
            ChargeMoved(was, toSip, b->Length);                              // the length read only here
        }

        // The rare transfers, out of line (the hot path keeps its registers): a DMA block (the
        // device of the SIP that gave it away may no longer reach it, the receiver's may), or a
        // direct hand-off of a block charged to neither side. The counts and charge as TransferAt's. Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void MovedRare(Block* b, Sip fromSip, Sip toSip)
        {
            ulong len = b->Length;
            if (b->DmaPages != 0 && s_dmaOwner != null && fromSip != toSip)
            {
                if (fromSip != null) s_dmaOwner(fromSip, (ulong)b->Data, b->DmaPages, false);
                if (toSip != null) s_dmaOwner(toSip, (ulong)b->Data, b->DmaPages, true);
            }
            int charged = fromSip != null ? fromSip.Id : b->Charged;     // ChargedOf before the owner changed
            if (fromSip != null) fromSip.ExchangeHeld -= b->Held;
            if (toSip == null) { b->Charged = charged; return; }          // into flight: recorded
            toSip.ExchangeHeld += b->Held;
            if (charged == toSip.Id) return;
            ChargeMoved(charged, toSip, len);
        }

        // The receiver is not the SIP charged for the block (a queued message taken, or a rare hand-off):
        // the account charged (found by id; it lives while charged) moves the charge to the receiver's
        // with SipAccount.MoveBlockTo (what Release there and Force here would do, without their
        // interrupt toggles). An account not found (a kernel bug) leaves only the receiver's charge. Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void ChargeMoved(int charged, Sip toSip, ulong len)
        {
            SipAccount a = SipAccount.Find(charged);
            if (a != null) { a.MoveBlockTo(toSip.Account, len); return; }
            toSip.Account.Force(Charge.Blocks, 1);
            toSip.Account.Force(Charge.Exchange, len);
        }

        /// <summary>Frees a block; false if <paramref name="owner"/> does not own it.</summary>
        public static bool Free(ulong handle, int owner, Sip ownerSip)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int slot = Slot(handle);
            bool ok = slot >= 0 && s_blocks[slot].Owner == owner;
            if (ok && !ParkOnFree(slot, ownerSip)) Release(slot, ownerSip);     // parked: another thread may be inside an access
            Restore(flags);
            return ok;
        }

        /// <summary>Frees every block a dead SIP owned.</summary>
        public static void ReclaimAll(Sip sip)
        {
            ReleaseParkedOfEnded(sip);
            // Every block a SIP owns counts in its ExchangeBlocks.
            if (sip.ExchangeBlocks == 0) return;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            for (int slot = 0; slot < s_capacity; slot++)
                if (s_blocks[slot].Owner == sip.Id) Release(slot, sip);
            Restore(flags);
        }

        // The SIP whose account is charged for the block: its owner while a SIP owns it (a block a
        // SIP owns is always charged to that SIP, so a hand-over from SIP to SIP reads and writes no
        // charge), else Charged: the sender while in flight, the SIP that parked it while parked.
        private static int ChargedOf(int slot)
        {
            int owner = s_blocks[slot].Owner;
            return owner > 0 ? owner : s_blocks[slot].Charged;
        }

        // Gives back the block's charge to the account charged (which lives while charged). Interrupts off.
        private static void Uncharge(int slot)
        {
            SipAccount a = SipAccount.Find(ChargedOf(slot));
            if (a != null)
            {
                a.Release(Charge.Blocks, 1);
                a.Release(Charge.Exchange, s_blocks[slot].Length);
            }
            s_blocks[slot].Charged = 0;
        }

        private static void Release(int slot, Sip ownerSip)
        {
            Uncharge(slot);
            ulong len = s_blocks[slot].Length;
            ExchangeHeader* x = Header(slot);
            x->Check = 0;                       // before the memory goes: a runtime check now fails (nobody's, no address)
            x->Length = 0;
            x->Data = null;
            if (s_blocks[slot].DmaPages != 0)
            {
                ulong frames = (ulong)s_blocks[slot].Data, pages = s_blocks[slot].DmaPages;
                if (ownerSip != null && s_dmaOwner != null) s_dmaOwner(ownerSip, frames, pages, false);
                // Frames a live device may still reach are kept by the I/O layer until it is quiesced.
                if (s_dmaRetire == null || !s_dmaRetire(s_blocks[slot].DmaOrigin, frames, pages))
                    PhysicalMemory.FreeContiguous(frames, pages);
                s_dmaBytes -= len;
                s_blocks[slot].DmaPages = 0;
                s_blocks[slot].DmaOrigin = 0;
            }
            else KernelHeap.Free(s_blocks[slot].Data);
            s_blocks[slot].Data = null;
            s_blocks[slot].Owner = 0;
            s_blocks[slot].Length = 0;
            s_blocks[slot].Held = 0;
            if (ownerSip != null) ownerSip.ExchangeHeld -= SipAccount.Held(len);
            s_bytes -= len;
            s_count--;
        }

        private static void Restore(ulong flags)
        {
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }
    }
}
