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
        // Exchange and Blocks in plain fields instead (their slots in Counters stay 0): every block
        // handed over on a channel moves them (MoveBlockTo), and a plain field is one add or
        // subtract in memory where a fixed buffer's element costs an address computation too.
        private ulong _ownExchange, _ownBlocks, _totalExchange, _totalBlocks;
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

        public ulong Own(Charge c) => OwnOf(c);
        public ulong Total(Charge c) => TotalOf(c);

        private ref ulong OwnOf(Charge c)
        {
            if (c == Charge.Exchange) return ref _ownExchange;
            if (c == Charge.Blocks) return ref _ownBlocks;
            return ref _own.Of[(int)c];
        }

        private ref ulong TotalOf(Charge c)
        {
            if (c == Charge.Exchange) return ref _totalExchange;
            if (c == Charge.Blocks) return ref _totalBlocks;
            return ref _total.Of[(int)c];
        }
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
                if (c == Charge.Heap) { limit = a.Quota.HeapBytes; used = a.TotalOf(c); }
                else if (c == Charge.Exchange) { limit = a.Quota.ExchangeBytes; used = a.TotalOf(c); }
                else if (c == Charge.Blocks) { limit = a.Quota.ExchangeBlocks; used = a.TotalOf(c); }
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
            OwnOf(c) += n;
            bool kernel = IsKernel(c);
            for (SipAccount a = this; a != null; a = a.Parent)
            {
                a.TotalOf(c) += n;
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
            if (OwnOf(c) < n)
            {
                Log.Write("accounting: sip #"); Log.WriteDecimal((ulong)SipId); Log.Write(" gave back more than it was charged for kind ");
                Log.WriteDecimal((ulong)c); Log.WriteLine();
                n = OwnOf(c);
            }
            OwnOf(c) -= n;
            bool kernel = IsKernel(c);
            for (SipAccount a = this; a != null; a = a.Parent)
            {
                a.TotalOf(c) -= n;
                if (kernel) a._kernelTotal -= n;
            }
            FreeEmptyEnded(this);
            Restore(flags);
        }

        /// <summary>
        /// Moves one exchange block's charge (Blocks 1, Exchange <paramref name="bytes"/>) from this
        /// account to <paramref name="to"/>: a block handed over on a channel. The same as Release
        /// here and Force there, without their per-call interrupt toggles: the check that this
        /// account holds the charge is made once, then one subtract and one add on each account's
        /// two counters. The accounts above both (their common ancestors) keep their totals, since
        /// the charge stays below them: for two SIPs of one parent (a service and its client,
        /// usually, or two boot modules) only the two accounts change. Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void MoveBlockTo(SipAccount to, ulong bytes)
        {
            if (_ownBlocks == 0 || _ownExchange < bytes)
            {
                MoveUncharged(to, bytes);
                return;
            }
            _ownBlocks--;
            _ownExchange -= bytes;
            _totalBlocks--;
            _totalExchange -= bytes;
            to._ownBlocks++;
            to._ownExchange += bytes;
            to._totalBlocks++;
            to._totalExchange += bytes;
            if (Parent != to.Parent) MoveBlockAbove(to, bytes);
            if (_ended) FreeEmptyEnded(this);
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
        private void MoveBlockAbove(SipAccount to, ulong bytes)
        {
            SipAccount common = null;
            for (SipAccount a = Parent; a != null && common == null; a = a.Parent)
                for (SipAccount b = to.Parent; b != null; b = b.Parent)
                    if (a == b) { common = a; break; }
            for (SipAccount a = Parent; a != common; a = a.Parent)
            {
                a._totalBlocks--;
                a._totalExchange -= bytes;
            }
            for (SipAccount a = to.Parent; a != common; a = a.Parent)
            {
                a._totalBlocks++;
                a._totalExchange += bytes;
            }
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
                if (_totalExchange != 0 || _totalBlocks != 0) return false;
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
