using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;

namespace Singularity.Kernel.Channels
{
    /// <summary>
    /// The exchange heap: memory that moves between SIPs by ownership instead of by copying.
    /// Every block has exactly one owner: a SIP, or a message in flight on a channel. A block
    /// is named by a handle (slot index and generation), so a stale or forged handle finds
    /// nothing. When a SIP dies, every block it owns is freed. SIPs never get a block's address:
    /// the kernel copies to and from it (Copy), checking ownership as it goes.
    /// </summary>
    internal static unsafe class ExchangeHeap
    {
        public const int InFlight = -1;             // owner while a message carries the block
        private const int InitialCapacity = 16384;  // slots; the table doubles when full (more than four SIPs at their block limit)
        private const int MaxCapacity = 1 << 20;
        public const ulong DefaultQuota = 16UL * 1024 * 1024;
        /// <summary>Blocks one SIP may own at once: no SIP can fill the table for everyone else.</summary>
        public const int MaxBlocksPerSip = 4096;
        private const ulong CopyChunk = 4096;       // bytes copied per interrupts-off step

        // ExAccess/ExRead/ExWrite results besides an address or 0.
        public const int NotOwned = -1, OutOfRange = -2;

        private struct Block
        {
            public byte* Data;
            public ulong Length;
            public int Owner;                       // SIP id, InFlight, or 0 when the slot is free
            public uint Generation;
        }

        private static Block* s_blocks;
        private static int s_capacity;
        private static int s_freeHint;
        private static ulong s_bytes, s_count;

        public static ulong BytesInUse => s_bytes;
        public static ulong BlocksInUse => s_count;

        public static void Initialize()
        {
            s_blocks = (Block*)KernelHeap.Allocate((ulong)(InitialCapacity * sizeof(Block)));
            s_capacity = InitialCapacity;
        }

        private static ulong HandleOf(int slot) =>
            Abi.ChannelMessage.KindBlock | ((ulong)(s_blocks[slot].Generation & 0x3FFFFFFF) << 32) | (uint)slot;

        // The slot a handle names, or -1 if it names no live block. Interrupts off.
        private static int Slot(ulong handle)
        {
            if ((handle & Abi.ChannelMessage.KindMask) != Abi.ChannelMessage.KindBlock) return -1;
            uint slot = (uint)handle;
            if (slot >= (uint)s_capacity) return -1;
            uint gen = (uint)(handle >> 32) & 0x3FFFFFFF;
            if (s_blocks[slot].Owner == 0 || (s_blocks[slot].Generation & 0x3FFFFFFF) != gen) return -1;
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
            // Checked with interrupts off, so two threads of one SIP cannot both pass the quota.
            if (length <= sip.ExchangeQuota - sip.ExchangeBytes && sip.ExchangeBlocks < MaxBlocksPerSip
                && KernelReserve.AllowsSipGrant(length + 4096))
            {
                int slot = FreeSlot();
                void* data = slot < 0 ? null : KernelHeap.TryAllocate(length);
                if (data != null)
                {
                    s_blocks[slot].Data = (byte*)data;
                    s_blocks[slot].Length = length;
                    s_blocks[slot].Owner = sip.Id;
                    s_blocks[slot].Generation++;
                    s_freeHint = slot + 1;
                    sip.ExchangeBytes += length;
                    sip.ExchangeBlocks++;
                    s_bytes += length;
                    s_count++;
                    handle = HandleOf(slot);
                }
            }
            Restore(flags);
            return handle;
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
            var table = (Block*)KernelHeap.TryAllocate((ulong)bigger * (ulong)sizeof(Block));
            if (table == null) return -1;
            for (int i = 0; i < s_capacity; i++) table[i] = s_blocks[i];
            KernelHeap.Free(s_blocks);
            s_blocks = table;
            int first = s_capacity;
            s_capacity = bigger;
            return first;
        }

        /// <summary>The block's length if <paramref name="owner"/> owns it, else 0.</summary>
        public static ulong LengthOf(int owner, ulong handle)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int slot = Slot(handle);
            ulong length = slot >= 0 && s_blocks[slot].Owner == owner ? s_blocks[slot].Length : 0;
            Restore(flags);
            return length;
        }

        /// <summary>
        /// Copies <paramref name="length"/> bytes between the block, from <paramref name="offset"/>,
        /// and the SIP's memory at <paramref name="memory"/> (into the block when
        /// <paramref name="intoBlock"/>). The SIP must own the block for every byte: the copy goes
        /// in steps with interrupts off, each checking ownership, so another thread of the SIP that
        /// frees or sends the block meanwhile stops the copy instead of letting it reach memory
        /// that is no longer the block. Returns 0, NotOwned or OutOfRange.
        /// </summary>
        public static int Copy(Sip sip, ulong handle, ulong offset, byte* memory, ulong length, bool intoBlock)
        {
            ulong done = 0;
            while (true)
            {
                ulong flags = Cpu.ReadRflags();
                Cpu.DisableInterrupts();
                int slot = Slot(handle);
                int result = 0;
                if (slot < 0 || s_blocks[slot].Owner != sip.Id) result = NotOwned;
                else if (offset > s_blocks[slot].Length || length > s_blocks[slot].Length - offset) result = OutOfRange;
                else if (done < length)
                {
                    ulong n = length - done < CopyChunk ? length - done : CopyChunk;
                    byte* block = s_blocks[slot].Data + offset + done;
                    if (intoBlock) System.Buffer.MemoryCopy(memory + done, block, (long)n, (long)n);
                    else System.Buffer.MemoryCopy(block, memory + done, (long)n, (long)n);
                    done += n;
                }
                Restore(flags);
                if (result != 0 || done >= length) return result;
            }
        }

        public static bool IsOwnedBy(ulong handle, int owner)
        {
            int slot = Slot(handle);
            return slot >= 0 && s_blocks[slot].Owner == owner;
        }

        /// <summary>Moves a block from one owner to another (SIP id or InFlight). False if <paramref name="from"/> does not own it. Interrupts off.</summary>
        public static bool Transfer(ulong handle, int from, Sip fromSip, int to, Sip toSip)
        {
            int slot = Slot(handle);
            if (slot < 0 || s_blocks[slot].Owner != from) return false;
            s_blocks[slot].Owner = to;
            ulong len = s_blocks[slot].Length;
            if (fromSip != null) { fromSip.ExchangeBytes -= len; fromSip.ExchangeBlocks--; }
            if (toSip != null) { toSip.ExchangeBytes += len; toSip.ExchangeBlocks++; }
            return true;
        }

        /// <summary>Frees a block; false if <paramref name="owner"/> does not own it.</summary>
        public static bool Free(ulong handle, int owner, Sip ownerSip)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int slot = Slot(handle);
            bool ok = slot >= 0 && s_blocks[slot].Owner == owner;
            if (ok) Release(slot, ownerSip);
            Restore(flags);
            return ok;
        }

        /// <summary>Frees every block a dead SIP owned.</summary>
        public static void ReclaimAll(Sip sip)
        {
            // Every block a SIP owns counts in its ExchangeBlocks.
            if (sip.ExchangeBlocks == 0) return;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            for (int slot = 0; slot < s_capacity; slot++)
                if (s_blocks[slot].Owner == sip.Id) Release(slot, sip);
            Restore(flags);
        }

        private static void Release(int slot, Sip ownerSip)
        {
            ulong len = s_blocks[slot].Length;
            KernelHeap.Free(s_blocks[slot].Data);
            s_blocks[slot].Data = null;
            s_blocks[slot].Owner = 0;
            s_blocks[slot].Length = 0;
            if (ownerSip != null) { ownerSip.ExchangeBytes -= len; ownerSip.ExchangeBlocks--; }
            s_bytes -= len;
            s_count--;
        }

        private static void Restore(ulong flags)
        {
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }
    }
}
