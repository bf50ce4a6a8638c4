using Singularity.Abi;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Processes;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel.Ipc
{
    /// <summary>
    /// The exchange heap's quarantine (docs/channels.md "Exchange heap"): what keeps a block's
    /// memory from its next owner while another thread of the SIP that gave it away may still be
    /// inside an access to it. The runtime checks a block's header and then loads or stores with no
    /// kernel call in between, so only a thread the timer stopped (Thread.Preempted, PreemptionMark)
    /// can be inside an access. When a SIP sends or frees a block and another of its threads carries
    /// that mark and its saved state (registers, kernel and SIP stacks) holds a word pointing at the
    /// block's header or into its data, the memory goes to nobody: a sent block is replaced in the
    /// message by a fresh copy, and the original (or a freed block) is parked: its check word
    /// nobody's (every check fails), its memory kept and charged to the SIP, until no marked thread of the SIP holds
    /// such a word any more (each send, free or allocation of the SIP looks), or the SIP ends.
    /// Interrupts off, but for ReleaseParkedOfEnded.
    /// </summary>
    internal static unsafe partial class ExchangeHeap
    {
        /// <summary>Owner of a parked block (no SIP has this id, and it is not InFlight).</summary>
        public const int ParkedOwner = -2;
        // The parked blocks, a list through Block.NextParked; slot + 1, 0 for none.
        private static int s_parkedFirst;
        private static int s_parkedCount;
        // A pointer this far outside a block's data still counts as pointing into it (a compiler may
        // keep a base or end pointer a little outside the range it accesses).
        private const ulong PointerSlack = 4096;

        /// <summary>Blocks parked now (all SIPs).</summary>
        public static int ParkedBlocks => s_parkedCount;

        /// <summary>
        /// Before the blocks of a checked message leave <paramref name="sip"/> (ChannelCalls.SendLocked,
        /// interrupts off since OwnedSlot found <paramref name="slots"/>): a block another thread of
        /// the SIP may be inside an access to is replaced, in the message and in the slots, by a fresh
        /// block of the SIP holding a copy, and parked. Ok, or OutOfMemory (nothing changed) when the
        /// copies do not fit the SIP's exchange grant or memory.
        /// </summary>
        public static int BeforeSend(Sip sip, ChannelMessage* m, int* slots, int count)
        {
            PreemptionMark.Clear(Scheduler.Current);        // the sender is in a voluntary entry
            if (s_parkedCount != 0) ReleaseParked(sip, false);
            if (sip.PreemptedThreads == 0) return ChannelStatus.Ok;
            // First which blocks, and whether their copies fit: nothing moves unless all do.
            uint touched = 0;
            ulong bytes = 0, blocks = 0;
            for (int i = 0; i < count; i++)
            {
                if ((m->Handles[i] & ChannelMessage.KindMask) != ChannelMessage.KindBlock || !MayBeTouched(sip, slots[i])) continue;
                touched |= 1u << i;
                bytes += s_blocks[slots[i]].Length;
                blocks++;
            }
            if (touched == 0) return ChannelStatus.Ok;
            if (!sip.Account.Fits(Charge.Blocks, blocks) || !sip.Account.Fits(Charge.Exchange, bytes)
                || !KernelReserve.AllowsSipGrant(bytes + 4096 * blocks))
                return ChannelStatus.OutOfMemory;
            int* fresh = stackalloc int[ChannelMessage.MaxHandles];
            for (int i = 0; i < count; i++)
            {
                fresh[i] = -1;
                if ((touched & (1u << i)) == 0) continue;
                fresh[i] = CopyOf(sip, slots[i]);
                if (fresh[i] < 0)
                {
                    for (int j = 0; j < i; j++) if (fresh[j] >= 0) Release(fresh[j], sip);
                    return ChannelStatus.OutOfMemory;
                }
            }
            for (int i = 0; i < count; i++)
            {
                if (fresh[i] < 0) continue;
                Park(slots[i], sip);
                slots[i] = fresh[i];
                m->Handles[i] = HandleOf(fresh[i]);
            }
            return ChannelStatus.Ok;
        }

        /// <summary>
        /// A free of the block at <paramref name="slot"/> by its owner <paramref name="sip"/>: true if
        /// it was parked instead (another thread of the SIP may be inside an access to it).
        /// </summary>
        private static bool ParkOnFree(int slot, Sip sip)
        {
            if (sip == null || (sip.PreemptedThreads == 0 && s_parkedCount == 0)) return false;
            PreemptionMark.Clear(Scheduler.Current);        // the caller is in a voluntary entry
            if (s_parkedCount != 0) ReleaseParked(sip, false);
            if (sip.PreemptedThreads == 0 || !MayBeTouched(sip, slot)) return false;
            Park(slot, sip);
            return true;
        }

        // A new block of `sip` holding a copy of the block at `slot`, charged as the original; -1
        // if memory is short (the caller checked the grant).
        private static int CopyOf(Sip sip, int slot)
        {
            ulong length = s_blocks[slot].Length;
            int copy = FreeSlot();
            void* data = copy < 0 ? null : KernelHeap.TryAllocate(length);
            if (data == null) return -1;
            System.Buffer.MemoryCopy(s_blocks[slot].Data, data, (long)length, (long)length);
            Claim(sip, copy, (byte*)data, length);
            return copy;
        }

        // The block at `slot`, owned by `sip`, leaves it for nobody: its check word carries tag 0
        // (every check fails; its header's Data and Length stay, for a thread that checked already), its
        // memory and charge stay. A DMA block is no longer the SIP's device's to reach.
        private static void Park(int slot, Sip sip)
        {
            Header(slot)->Check = ExchangeHeader.CheckOf(s_blocks[slot].Data, 0);     // nobody's
            s_blocks[slot].Charged = sip.Id;      // ChargedOf: no SIP owns it now
            s_blocks[slot].Owner = ParkedOwner;
            sip.ExchangeHeld -= s_blocks[slot].Held;
            if (s_blocks[slot].DmaPages != 0 && s_dmaOwner != null)
                s_dmaOwner(sip, (ulong)s_blocks[slot].Data, s_blocks[slot].DmaPages, false);
            s_blocks[slot].NextParked = s_parkedFirst;
            s_parkedFirst = slot + 1;
            s_parkedCount++;
        }

        /// <summary>
        /// Frees the parked blocks charged to <paramref name="sip"/> that no marked thread of it may be
        /// touching any more; all of them when <paramref name="ended"/> (its threads are gone).
        /// </summary>
        private static void ReleaseParked(Sip sip, bool ended)
        {
            int prev = 0;
            for (int at = s_parkedFirst; at != 0;)
            {
                int slot = at - 1;
                int next = s_blocks[slot].NextParked;
                if (s_blocks[slot].Charged == sip.Id && (ended || !MayBeTouched(sip, slot)))
                {
                    if (prev == 0) s_parkedFirst = next;
                    else s_blocks[prev - 1].NextParked = next;
                    s_blocks[slot].NextParked = 0;
                    s_parkedCount--;
                    Release(slot, null);            // its owner's counts went when it was parked
                }
                else prev = at;
                at = next;
            }
        }

        /// <summary>The SIP ended (its threads are released): its parked blocks go.</summary>
        private static void ReleaseParkedOfEnded(Sip sip)
        {
            if (s_parkedCount == 0) return;
            ulong flags = Arch.Cpu.ReadRflags();
            Arch.Cpu.DisableInterrupts();
            ReleaseParked(sip, true);
            Restore(flags);
        }

        // Whether a thread of `sip` other than the running one carries the mark and holds, in the
        // state it was stopped with, a word pointing at the block's header or into its data (with
        // PointerSlack either side): its kernel stack from its saved stack pointer up (the interrupt
        // frame with its registers, the SSE state saved below it, the kernel frames) and its SIP
        // stack from the SIP's stack pointer up. Only such a thread can load or store into the block
        // when it runs again: an access uses the header or the data address it holds.
        private static bool MayBeTouched(Sip sip, int slot)
        {
            if (sip.PreemptedThreads == 0) return false;
            ulong data = (ulong)s_blocks[slot].Data;
            ulong low = data > PointerSlack ? data - PointerSlack : 0;
            ulong high = data + s_blocks[slot].Length + PointerSlack;
            ulong header = (ulong)Header(slot);
            Thread me = Scheduler.Current;
            for (Thread t = sip.Threads; t != null; t = t.NextInSip)
            {
                if (t == me || !t.Preempted || t.State == ThreadState.Dead) continue;
                if (Holds(t.SavedRsp, t.KernelStackBase, t.KernelStackTop, low, high, header)) return true;
                // While the thread is in the kernel, its ABI slot holds the SIP's stack pointer (entry.asm).
                if (t.AbiSlot != 0 && Holds(*(ulong*)t.AbiSlot, t.SipStackBase, t.SipStackTop, low, high, header)) return true;
            }
            return false;
        }

        // Whether a word of [from, top), inside [base, top), is in [low, high) or points into the header.
        // A stack pointer outside its stack is taken as holding anything (it cannot be scanned).
        private static bool Holds(ulong from, ulong stackBase, ulong top, ulong low, ulong high, ulong header)
        {
            if (from < stackBase || from >= top) return true;
            for (ulong* p = (ulong*)(from & ~7UL); p < (ulong*)top; p++)
            {
                ulong w = *p;
                if ((w >= low && w < high) || (w >= header && w < header + (ulong)sizeof(ExchangeHeader))) return true;
            }
            return false;
        }
    }
}
