using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;

namespace Singularity.Kernel.Processes
{
    /// <summary>What is charged to a SIP's account (docs/accounting.md).</summary>
    internal enum Charge : byte
    {
        /// <summary>Pages of its heap (quota: heap).</summary>
        Heap,
        /// <summary>Exchange blocks it owns or sent and nobody received yet, by their size in kernel memory (quota: exchange).</summary>
        Exchange,
        /// <summary>Those blocks counted (quota: blocks).</summary>
        Blocks,
        // Kernel memory (quota: kernel, all of these together):
        /// <summary>Its loaded image.</summary>
        Image,
        /// <summary>Its threads' SIP and kernel stacks with their guard pages.</summary>
        Stacks,
        /// <summary>Its own record: the SIP object, its name and arguments, handle and page tables, start-up data.</summary>
        Record,
        /// <summary>Its threads' records.</summary>
        Threads,
        /// <summary>Channels it created (both endpoints, their message queues and watcher lists), until both ends close.</summary>
        Channels,
        /// <summary>Its events and mutexes.</summary>
        Events,
        /// <summary>Names it registered.</summary>
        Names,
        Count,
    }

    /// <summary>
    /// The account of one SIP: what the kernel holds on its behalf, by kind, against its grant.
    /// Accounts form the tree of who started whom, and a charge counts against the account and
    /// every ancestor, so a SIP and all it started together stay within its grant: a spawn bomb
    /// ends at its root's grant. A charge that does not fit is refused (the caller's error);
    /// a forced charge (a receive, which cannot be undone) may go past the quota. The account
    /// outlives the SIP's record while anything is still charged to it (blocks it sent that
    /// nobody received, channels it created whose other end lives on) and is freed with the last
    /// charge. All of it runs with interrupts off.
    /// </summary>
    internal sealed unsafe class SipAccount
    {
        public readonly int SipId;
        public readonly SipAccount Parent;
        public readonly SipQuota Quota;
        /// <summary>The SIP while its record exists (for its name in `mem`); null after.</summary>
        public Sip Sip;
        /// <summary>Exchange bytes it sent that are still queued (part of Exchange).</summary>
        public ulong InFlight;

        // Counters by kind, inside the account itself (no array: no bounds check, no indirection,
        // no allocation of their own); indexed only by Charge values, which the kernel chooses.
        private Counters _own;
        private Counters _total;                                           // this and every account below
        // Exchange and Blocks in one word instead (their slots in Counters stay 0; see Held): every
        // block handed over on a channel moves them (MoveBlockTo), so one subtract here and one add
        // there move both. And no total of its own: the account's is _ownHeld + _belowHeld, so a
        // move between two accounts of one parent (a service and its client) changes only their
        // _ownHeld; _belowHeld (every account below this one, together) changes only for a move
        // across subtrees (MoveBlockAbove) and for charges made or given back below.
        private ulong _ownHeld, _belowHeld;
        private ulong _kernelTotal;
        private bool _ended;

        private SipAccount _next;
        private static SipAccount s_first;

        /// <summary>Every account, newest first: live SIPs' and ended ones that still hold charges.</summary>
        public static SipAccount First => s_first;
        public SipAccount Next => _next;

        public SipAccount(int sipId, SipAccount parent, SipQuota quota)
        {
            SipId = sipId;
            Parent = parent;
            Quota = quota;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            _next = s_first;
            s_first = this;
            Restore(flags);
        }

        /// <summary>The account of SIP <paramref name="sipId"/> (live, or ended and still charged), or null. Interrupts off.</summary>
        public static SipAccount Find(int sipId)
        {
            for (SipAccount a = s_first; a != null; a = a._next) if (a.SipId == sipId) return a;
            return null;
        }

        public static bool IsKernel(Charge c) => c >= Charge.Image && c < Charge.Count;

        private struct Counters
        {
            public fixed ulong Of[(int)Charge.Count];
        }

        /// <summary>
        /// Exchange blocks counted and their bytes summed in one word: the bytes from bit
        /// <see cref="HeldShift"/> up, the count below. The count never reaches 2^HeldShift (16 Mi):
        /// the block table has at most 2^20 slots. The bytes stay below 2^40: every exchange block,
        /// DMA frames included, lies in memory below 2^40, checked at boot (ExchangeHeap.Initialize),
        /// so no sum of charged lengths gets there. Neither field goes below 0 (a move or release
        /// checks first), so neither borrows from the other. Bytes above: a word smaller than a
        /// block's means too few bytes (or exactly its bytes and no block), so a move's check that
        /// the charge is there is one compare and one test of the count (SipAccount.MoveHeldTo).
        /// </summary>
        public const int HeldShift = 24;
        private const ulong HeldCountMask = (1UL << HeldShift) - 1;
        /// <summary>One block of <paramref name="bytes"/> (under 2^40) as a Held word.</summary>
        public static ulong Held(ulong bytes) => (bytes << HeldShift) | 1;
        public static ulong HeldBytes(ulong held) => held >> HeldShift;
        public static ulong HeldBlocks(ulong held) => held & HeldCountMask;

        private static bool IsHeld(Charge c) => c == Charge.Exchange || c == Charge.Blocks;

        // n of `c` (Exchange or Blocks) as a Held word.
        private static ulong HeldOf(Charge c, ulong n) => c == Charge.Blocks ? n : n << HeldShift;

        private static ulong Part(Charge c, ulong held) => c == Charge.Blocks ? HeldBlocks(held) : HeldBytes(held);

        public ulong Own(Charge c) => IsHeld(c) ? Part(c, _ownHeld) : _own.Of[(int)c];
        public ulong Total(Charge c) => IsHeld(c) ? Part(c, _ownHeld + _belowHeld) : _total.Of[(int)c];
        public ulong KernelTotal => _kernelTotal;
        public bool Ended => _ended;

        public ulong OwnKernel
        {
            get
            {
                ulong n = 0;
                for (int c = (int)Charge.Image; c < (int)Charge.Count; c++) n += _own.Of[c];
                return n;
            }
        }

        /// <summary>Whether <paramref name="n"/> more of <paramref name="c"/> fits this grant and every ancestor's.</summary>
        public bool Fits(Charge c, ulong n)
        {
            for (SipAccount a = this; a != null; a = a.Parent)
            {
                ulong limit, used;
                if (c == Charge.Heap) { limit = a.Quota.HeapBytes; used = a.Total(c); }
                else if (c == Charge.Exchange) { limit = a.Quota.ExchangeBytes; used = a.Total(c); }
                else if (c == Charge.Blocks) { limit = a.Quota.ExchangeBlocks; used = a.Total(c); }
                else { limit = a.Quota.KernelBytes; used = a._kernelTotal; }
                // Forced charges may have gone past the limit: nothing more fits then.
                if (used > limit || n > limit - used) return false;
            }
            return true;
        }

        /// <summary>Charges if it fits (see Fits); false, with nothing charged, if not.</summary>
        public bool TryCharge(Charge c, ulong n)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            bool ok = Fits(c, n);
            if (ok) Add(c, n);
            Restore(flags);
            return ok;
        }

        /// <summary>Charges whether or not it fits: for what has already happened and cannot be refused.</summary>
        public void Force(Charge c, ulong n)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            Add(c, n);
            Restore(flags);
        }

        private void Add(Charge c, ulong n)
        {
            if (IsHeld(c))
            {
                ulong h = HeldOf(c, n);
                _ownHeld += h;
                for (SipAccount a = Parent; a != null; a = a.Parent) a._belowHeld += h;
                return;
            }
            _own.Of[(int)c] += n;
            bool kernel = IsKernel(c);
            for (SipAccount a = this; a != null; a = a.Parent)
            {
                a._total.Of[(int)c] += n;
                if (kernel) a._kernelTotal += n;
            }
        }

        /// <summary>Gives back what was charged; an ended account freed of its last charge goes (and so may its ancestors).</summary>
        public void Release(Charge c, ulong n)
        {
            if (n == 0) return;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            // More given back than was charged is a kernel bug (it would hide leaks): logged, and
            // only what was charged is given back, so the kernel goes on.
            if (Own(c) < n)
            {
                Log.Write("accounting: sip #"); Log.WriteDecimal((ulong)SipId); Log.Write(" gave back more than it was charged for kind ");
                Log.WriteDecimal((ulong)c); Log.WriteLine();
                n = Own(c);
            }
            if (IsHeld(c))
            {
                ulong h = HeldOf(c, n);
                _ownHeld -= h;
                for (SipAccount a = Parent; a != null; a = a.Parent) a._belowHeld -= h;
            }
            else
            {
                _own.Of[(int)c] -= n;
                bool kernel = IsKernel(c);
                for (SipAccount a = this; a != null; a = a.Parent)
                {
                    a._total.Of[(int)c] -= n;
                    if (kernel) a._kernelTotal -= n;
                }
            }
            FreeEmptyEnded(this);
            Restore(flags);
        }

        /// <summary>
        /// Moves one exchange block's charge (Blocks 1, Exchange <paramref name="bytes"/>) from this
        /// account to <paramref name="to"/>: a block handed over on a channel. The same as Release
        /// here and Force there, without their per-call interrupt toggles: the check that this
        /// account holds the charge is made once, then one subtract here and one add there (the
        /// Held word: count and bytes together). The accounts above both (their common ancestors)
        /// keep their totals, since the charge stays below them: for two SIPs of one parent (a
        /// service and its client, usually, or two boot modules) only the two words change. Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void MoveBlockTo(SipAccount to, ulong bytes)
        {
            MoveHeldTo(to, Held(bytes));
            if (_ended) FreeEmptyEnded(this);
        }

        /// <summary>
        /// MoveBlockTo of one block given as its Held word (<see cref="Held"/>), from a live SIP's
        /// account (never ended: an account ends only after its SIP's record is gone, so there is
        /// nothing to free here). To itself it changes nothing. Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void MoveHeldTo(SipAccount to, ulong held)
        {
            ulong own = _ownHeld;
            // At least its bytes and one block charged here (see Held; else a kernel bug: the general path logs it).
            if (own < held || ((uint)own & (uint)HeldCountMask) == 0)
            {
                MoveUncharged(to, HeldBytes(held));
                return;
            }
            _ownHeld = own - held;
            to._ownHeld += held;
            if (Parent != to.Parent) MoveBlockAbove(to, held);
        }

        /// <summary>
        /// With SharesParent: whether MoveHeldTo of <paramref name="held"/> to an account is the
        /// usual move: the charge is here (see Held; this) and both accounts have the same parent
        /// (SharesParent), so only the two words change (MovePlainly). Asked apart (each test on
        /// as few values as it needs: the lean path has few registers to spare) and before
        /// anything changes, so that the move itself has no branch (ChannelFastPath.TryDeliverUsual,
        /// ExchangeHeap.MovePlainly). Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public bool HoldsPlainly(ulong held)
        {
            ulong own = _ownHeld;
            return own >= held && ((uint)own & (uint)HeldCountMask) != 0;
        }

        /// <summary>HoldsPlainly's other half: both accounts have the same parent.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public bool SharesParent(SipAccount to) => Parent == to.Parent;

        /// <summary>MoveHeldTo of a move HoldsPlainly and SharesParent said yes to, with interrupts off since. To itself it changes nothing.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void MovePlainly(SipAccount to, ulong held)
        {
            _ownHeld -= held;
            to._ownHeld += held;
        }

        // MoveBlockTo of a block not charged here (a kernel bug): the general path logs it.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private void MoveUncharged(SipAccount to, ulong bytes)
        {
            Release(Charge.Blocks, 1);
            Release(Charge.Exchange, bytes);
            to.Force(Charge.Blocks, 1);
            to.Force(Charge.Exchange, bytes);
        }

        // MoveBlockTo for accounts of different parents: the ancestors' totals below the common
        // one change too (each a tree: walk up from both to the first account above both).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private void MoveBlockAbove(SipAccount to, ulong held)
        {
            SipAccount common = null;
            for (SipAccount a = Parent; a != null && common == null; a = a.Parent)
                for (SipAccount b = to.Parent; b != null; b = b.Parent)
                    if (a == b) { common = a; break; }
            for (SipAccount a = Parent; a != common; a = a.Parent) a._belowHeld -= held;
            for (SipAccount a = to.Parent; a != common; a = a.Parent) a._belowHeld += held;
        }

        /// <summary>The SIP's record is gone: the account goes once nothing is charged to it (now, or with its last charge).</summary>
        public void End()
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            _ended = true;
            Sip = null;
            FreeEmptyEnded(this);
            Restore(flags);
        }

        private bool IsEmpty
        {
            get
            {
                for (int c = 0; c < (int)Charge.Count; c++) if (_total.Of[c] != 0) return false;
                if ((_ownHeld | _belowHeld) != 0) return false;
                return true;
            }
        }

        // Frees `from` and each ancestor in turn while it has ended and holds nothing. An account
        // below an empty one is empty too (its charges count in every ancestor), and ended ones
        // were freed when they emptied; a live SIP's account always holds its record.
        private static void FreeEmptyEnded(SipAccount from)
        {
            SipAccount a = from;
            while (a != null && a._ended && a.IsEmpty)
            {
                SipAccount parent = a.Parent;
                a.Unlink();
                Allocator.Free(a);
                a = parent;
            }
        }

        private void Unlink()
        {
            if (s_first == this) { s_first = _next; return; }
            for (SipAccount p = s_first; p != null; p = p._next)
                if (p._next == this) { p._next = _next; return; }
        }

        private static void Restore(ulong flags)
        {
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }
    }
}
