using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;

namespace Singularity.Kernel.Channels
{
    /// <summary>
    /// The exchange heap: memory that moves between SIPs by ownership instead of by copying.
    /// Every block has exactly one owner: a SIP, or a message in flight on a channel. A block
    /// is named by a handle (slot index and generation), so a stale or forged handle finds
    /// nothing. When a SIP dies, every block it owns is freed.
    /// </summary>
    internal static unsafe class ExchangeHeap
    {
        public const int InFlight = -1;             // owner while a message carries the block
        private const int Capacity = 16384;         // live blocks system-wide
        public const ulong DefaultQuota = 16UL * 1024 * 1024;

        private struct Block
        {
            public byte* Data;
            public ulong Length;
            public int Owner;                       // SIP id, InFlight, or 0 when the slot is free
            public uint Generation;
        }

        private static Block* s_blocks;
        private static int s_freeHint;
        private static ulong s_bytes, s_count;

        public static ulong BytesInUse => s_bytes;
        public static ulong BlocksInUse => s_count;

        public static void Initialize()
        {
            ulong bytes = (ulong)(Capacity * sizeof(Block));
            s_blocks = (Block*)KernelHeap.Allocate(bytes);
        }

        private static ulong HandleOf(int slot) =>
            Abi.ChannelMessage.KindBlock | ((ulong)(s_blocks[slot].Generation & 0x3FFFFFFF) << 32) | (uint)slot;

        // The slot a handle names, or -1 if it names no live block.
        private static int Slot(ulong handle)
        {
            if ((handle & Abi.ChannelMessage.KindMask) != Abi.ChannelMessage.KindBlock) return -1;
            int slot = (int)(uint)handle;
            if (slot < 0 || slot >= Capacity) return -1;
            uint gen = (uint)(handle >> 32) & 0x3FFFFFFF;
            if (s_blocks[slot].Owner == 0 || (s_blocks[slot].Generation & 0x3FFFFFFF) != gen) return -1;
            return slot;
        }

        /// <summary>A zeroed block owned by <paramref name="sip"/>, or 0 (quota, memory or table full).</summary>
        public static ulong Allocate(Sip sip, ulong length)
        {
            if (length == 0 || length > 64UL * 1024 * 1024) return 0;
            if (sip.ExchangeBytes + length > sip.ExchangeQuota) return 0;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            ulong handle = 0;
            for (int i = 0; i < Capacity; i++)
            {
                int slot = (s_freeHint + i) % Capacity;
                if (s_blocks[slot].Owner != 0) continue;
                void* data = KernelHeap.TryAllocate(length);
                if (data == null) break;
                s_blocks[slot].Data = (byte*)data;
                s_blocks[slot].Length = length;
                s_blocks[slot].Owner = sip.Id;
                s_blocks[slot].Generation++;
                s_freeHint = slot + 1;
                sip.ExchangeBytes += length;
                s_bytes += length;
                s_count++;
                handle = HandleOf(slot);
                break;
            }
            Restore(flags);
            return handle;
        }

        /// <summary>The block's data and length if <paramref name="owner"/> owns it, else null.</summary>
        public static byte* Access(int owner, ulong handle, out ulong length)
        {
            int slot = Slot(handle);
            length = 0;
            if (slot < 0 || s_blocks[slot].Owner != owner) return null;
            length = s_blocks[slot].Length;
            return s_blocks[slot].Data;
        }

        public static bool IsOwnedBy(ulong handle, int owner)
        {
            int slot = Slot(handle);
            return slot >= 0 && s_blocks[slot].Owner == owner;
        }

        /// <summary>Moves a block from one owner to another (SIP id or InFlight). False if <paramref name="from"/> does not own it.</summary>
        public static bool Transfer(ulong handle, int from, Sip fromSip, int to, Sip toSip)
        {
            int slot = Slot(handle);
            if (slot < 0 || s_blocks[slot].Owner != from) return false;
            s_blocks[slot].Owner = to;
            ulong len = s_blocks[slot].Length;
            if (fromSip != null) fromSip.ExchangeBytes -= len;
            if (toSip != null) toSip.ExchangeBytes += len;
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
            // Every block a SIP owns counts in its ExchangeBytes (blocks are never empty).
            if (sip.ExchangeBytes == 0) return;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            for (int slot = 0; slot < Capacity; slot++)
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
            if (ownerSip != null) ownerSip.ExchangeBytes -= len;
            s_bytes -= len;
            s_count--;
        }

        private static void Restore(ulong flags)
        {
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }
    }
}
