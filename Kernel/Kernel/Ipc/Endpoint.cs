using Singularity.Abi;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.Ipc
{
    /// <summary>
    /// One end of a channel. Messages sent on an endpoint land in its peer's bounded queue;
    /// a full queue holds the sender back. When either side closes (or its SIP dies), the
    /// other side receives what is already queued and then sees Closed. Once both sides are
    /// closed and no channel call waits on either, nothing can reach the channel any more and
    /// both ends return their memory to the kernel heap, and their charge to the account of the
    /// SIP that created the channel (Charge.Channels, docs/accounting.md).
    /// </summary>
    internal sealed unsafe class Endpoint : HandleObject
    {
        public const int QueueCapacity = 16;
        // The ring's head and tail advance by a mask (SendBlocks, TryTake): the capacity must be a
        // power of two, or this constant divides by zero and the kernel does not compile.
        private const int CapacityIsAPowerOfTwo = 1 / ((QueueCapacity & (QueueCapacity - 1)) == 0 ? 1 : 0);

        /// <summary>
        /// The other end: set once, by the constructors (the first end makes its peer), so never
        /// null, and the send and receive test no null peer.
        /// </summary>
        public readonly Endpoint Peer;
        /// <summary>
        /// The SIP holding this end; null while it travels inside a message, the kernel holds it
        /// (a served end) or it is closed. Setting it elects the receiver again. A closed end keeps
        /// no owner (Close clears it, and this setter gives none to a closed end), so "held by
        /// SIP X" also says "open": the entries test Owner alone, and a send tests its peer's
        /// Owner for null once for closed, served and travelling (ChannelCalls.SendOff).
        /// </summary>
        public Sip Owner
        {
            get => _owner;
            set { _owner = Closed ? null : value; ElectReceiver(); }
        }
        private Sip _owner;
        public bool Closed;                     // this side closed
        public KernelServer Server;             // the kernel serves this end (KernelServer): nothing queues here
        public int Principal;                   // for a served end: the id of the SIP it acts for
        public readonly int Id;
        private static int s_nextId = 1;

        // Incoming messages: the structs, plus the endpoint objects their endpoint handles stand for.
        private readonly ChannelMessage* _queue;
        private readonly Endpoint[] _carried;
        private int _head, _count;

        // The account charged for the pair (the creator's) and what it was charged; both ends share them.
        private SipAccount _account;
        private ulong _charge;

        /// <summary>What a channel (both ends) took in kernel memory when last made: the bound a creation is checked against.</summary>
        public static ulong PairBytes = 4096;

        // Channel calls blocked on this endpoint: it must outlive them (they touch it on waking).
        private int _pins;

        // Threads to wake when this endpoint becomes readable (a message or a close) or
        // when its queue gains room.
        private readonly Watchers _readable = new Watchers();
        private readonly Watchers _writable = new Watchers();

        // The first end (first == null) makes its peer, which takes the first as its own.
        private Endpoint(Endpoint first)
        {
            Id = s_nextId++;
            _queue = (ChannelMessage*)Memory.KernelHeap.Allocate((ulong)(QueueCapacity * sizeof(ChannelMessage)));
            _carried = new Endpoint[QueueCapacity * ChannelMessage.MaxHandles];
            Peer = first ?? new Endpoint(this);
        }

        /// <summary>
        /// A new channel whose ends <paramref name="owner"/> holds, charged to its account whether
        /// or not that fits (callers that can refuse check <see cref="Fits"/> first). Interrupts off.
        /// </summary>
        public static void CreatePair(Sip owner, out Endpoint imp, out Endpoint exp)
        {
            ulong mark = Memory.KernelHeap.BytesInUse;
            imp = new Endpoint(null);
            exp = imp.Peer;
            ulong bytes = Memory.KernelHeap.BytesInUse - mark;
            if (bytes > PairBytes) PairBytes = bytes;
            // The fields, not Owner's setter: nobody watches a new endpoint, there is no receiver to elect.
            imp._owner = owner;
            exp._owner = owner;
            imp.PlainLimit = exp.PlainLimit = owner != null ? QueueCapacity : 0;     // ElectReceiver's rule, no watcher
            if (owner != null)
            {
                owner.Account.Force(Charge.Channels, bytes);
                imp._account = exp._account = owner.Account;
                imp._charge = exp._charge = bytes;
            }
        }

        /// <summary>Whether one more channel fits the SIP's kernel grant and the memory outside the kernel's reserve.</summary>
        public static bool Fits(Sip owner) =>
            owner.Account.Fits(Charge.Channels, PairBytes) && Memory.KernelReserve.AllowsSipGrant(PairBytes + Memory.PhysicalMemory.PageSize);

        /// <summary>A channel call is about to block on this endpoint. Interrupts off.</summary>
        public void Pin() => _pins++;

        /// <summary>The call is done with it; frees the channel if that was the last thing reaching it. Interrupts off.</summary>
        public void Unpin()
        {
            _pins--;
            if (Closed) ReleaseIfUnreachable();     // an open endpoint is reachable: no call
        }

        // Both sides closed (their handles are gone; queues drained) and no call waiting on
        // either: free both. Interrupts off.
        private void ReleaseIfUnreachable()
        {
            if (!Closed || _pins != 0) return;
            Endpoint peer = Peer;
            if (!peer.Closed || peer._pins != 0) return;
            SipAccount account = _account;
            ulong charge = _charge;
            FreeMemory();
            peer.FreeMemory();
            if (account != null) account.Release(Charge.Channels, charge);
        }

        private void FreeMemory()
        {
            Memory.KernelHeap.Free(_queue);
            Allocator.Free(_carried);
            _readable.Free();
            _writable.Free();
            Allocator.Free(this);
        }

        public int QueuedCount => _count;
        public bool IsReadable => _count > 0 || Peer.Closed;
        public bool PeerGone => Peer.Closed;

        /// <summary>
        /// The thread a message for this end may be handed to directly, kept ready instead of
        /// derived per message (docs/channels.md "Receiver kept"): null, or the first of the threads
        /// registered for readability (ThreadChannels.Watched), while this end is open, not served
        /// by the kernel, and held by that thread's SIP, and the thread has a share. Whether it is
        /// waiting now (DirectWait with its buffer open) is the thread's own state, read by the
        /// sender. Elected again by every change of what it depends on: a registration made or
        /// dropped (WatchReadable, UnwatchReadable), the owner (Owner's setter), the close. Never
        /// written per message. Interrupts off.
        /// </summary>
        public Thread Receiver;
        /// <summary>
        /// This end's index in Receiver's registration (its first in ThreadChannels.Watched), found
        /// at the election, so a lean delivery completes a set receive's wait without searching
        /// the set (ChannelFastPath.CompleteLean). Receiver's registration changes only through
        /// Unregister and Register, which unwatch and watch again, so a new election: the index
        /// stands while Receiver does. -1 when not found (or no Receiver).
        /// </summary>
        public int ReceiverIndex;

        /// <summary>
        /// The queued count at which a send to this end leaves the usual path (ChannelCalls.SendOff:
        /// one compare instead of four tests): QueueCapacity while this end has an owner (open, not
        /// served by the kernel, not travelling) and no thread watching it for readability (so no
        /// Receiver and no reader to wake: SendBlocks' commit tests none), else 0, so every send
        /// takes SendAside's tests. Kept by every change of what it depends on: the owner (Owner's
        /// setter and CreatePair), the readable watchers (WatchReadable: a first watcher elects, a
        /// later one finds Receiver or the limit 0 already; UnwatchReadable elects unless another
        /// Receiver stays; Close clears the owner first) and the election (ElectReceiver).
        /// Interrupts off.
        /// </summary>
        public int PlainLimit;

        // The rule above, applied to the watchers and fields as they are now. Interrupts off.
        private void ElectReceiver()
        {
            Thread f = _readable.First;
            Thread r = f != null && !Closed && Server == null && _owner != null && f.Owner == _owner && f.Share != null ? f : null;
            Receiver = r;
            ReceiverIndex = r == null ? -1 : ThreadChannels.IndexOf(ThreadChannels.Peek(r), this);
            PlainLimit = f == null && _owner != null ? QueueCapacity : 0;
        }

        public void WatchReadable(Thread t)
        {
            _readable.Add(t);
            if (Receiver == null) ElectReceiver();
        }

        /// <summary>A thread waiting for this endpoint to become readable (woken by the last enqueue), or null.</summary>
        public Thread FirstReader => _readable.First;

        public void UnwatchReadable(Thread t)
        {
            _readable.Remove(t);
            // A new first reader (or one that became eligible with the old first gone).
            if (Receiver == t || Receiver == null) ElectReceiver();
        }
        public void WatchWritable(Thread t)
        {
            _writable.Add(t);
            WritersChanged();
        }

        public void UnwatchWritable(Thread t)
        {
            _writable.Remove(t);
            WritersChanged();
        }

        /// <summary>
        /// Whether senders wait for room in this queue (the peer's writable watchers, the only ones:
        /// a sender watches the end it sends on), kept by every change of that list (the peer's
        /// WatchWritable, UnwatchWritable, Close), as the queued count a receive must exceed to
        /// take the usual path (ChannelCalls.ReceiveOff: one compare for "a message queued and no
        /// sender to wake"): 0, or int.MaxValue while senders wait. Interrupts off.
        /// </summary>
        public int TakeFloor;

        private void WritersChanged()
        {
            Peer.TakeFloor = _writable.First != null ? int.MaxValue : 0;
        }

        /// <summary>Queues a message whose handles have already been taken from the sender. Interrupts off.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public bool TryEnqueue(ChannelMessage* m, Endpoint[] carried)
        {
            if (_count == QueueCapacity) return false;
            int at = _head + _count;
            if (at >= QueueCapacity) at -= QueueCapacity;
            // One pass: the fixed part in word moves, then each used handle, read once from the
            // sender's message and written to the slot. Only endpoint handles need their objects
            // kept; other entries stay as they are (TryDequeue reads an entry only for an endpoint
            // handle, and takes it out again), so a message without endpoints writes none.
            ulong* d = (ulong*)(_queue + at), s = (ulong*)m;
            CopyFixed(d, s);
            uint n = (uint)((ChannelMessage*)d)->HandleCount;
            if (n > ChannelMessage.MaxHandles) n = ChannelMessage.MaxHandles;
            for (uint i = 0; i < n; i++)
            {
                ulong h = s[9 + i];
                d[9 + i] = h;
                if ((h & ChannelMessage.KindMask) == ChannelMessage.KindEndpoint)
                    _carried[at * ChannelMessage.MaxHandles + (int)i] = carried[i];
            }
            _count++;
            if (_readable.First != null) _readable.WakeAll();
            return true;
        }

        /// <summary>
        /// Takes the oldest message; the object of each endpoint handle comes back in
        /// <paramref name="carried"/> (the entries of other handles are not written: every reader
        /// looks at an entry only for an endpoint handle). Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public bool TryDequeue(ChannelMessage* m, Endpoint[] carried)
        {
            if (_count == 0) return false;
            int head = _head;
            // One pass, as TryEnqueue: the kinds are read from the queue's own copy, which no SIP reaches.
            ulong* d = (ulong*)m, s = (ulong*)(_queue + head);
            CopyFixed(d, s);
            uint n = (uint)((ChannelMessage*)s)->HandleCount;
            if (n > ChannelMessage.MaxHandles) n = ChannelMessage.MaxHandles;
            for (uint i = 0; i < n; i++)
            {
                ulong h = s[9 + i];
                d[9 + i] = h;
                if ((h & ChannelMessage.KindMask) != ChannelMessage.KindEndpoint) continue;
                int at = head * ChannelMessage.MaxHandles + (int)i;
                carried[i] = _carried[at];
                _carried[at] = null;
            }
            _head = head + 1 == QueueCapacity ? 0 : head + 1;
            _count--;
            // Room in this queue: senders on the peer may go on.
            Endpoint peer = Peer;
            if (peer._writable.First != null) peer._writable.WakeAll();
            return true;
        }

        public bool HasRoom => _count < QueueCapacity;

        /// <summary>What <see cref="SendBlocks"/> answers for a message that carries an endpoint (nothing changed): the general send takes it.</summary>
        public const int CarriesEndpoint = int.MinValue;

        /// <summary>
        /// The usual send (ChannelCalls.Send) of <paramref name="sip"/>'s message into this queue,
        /// which has room, no kernel server and no receiver waiting for a direct delivery (the
        /// caller checked; interrupts off since). The message is read once, straight into the free
        /// slot at the tail (the kernel's own copy, which no SIP reaches): the handle count and
        /// every handle are checked on that copy, and the slot becomes a queued message only once
        /// all passed, so a bad message changes nothing (BadMessage). Each block's key is rewritten
        /// to in flight as it is committed (ExchangeHeap.TransferAt). Returns the send's status.
        /// The usual message carries no handle or one block, and its SIP has no thread stopped by
        /// the timer: that block is checked and moved here, from registers. Anything else goes to
        /// SendRest (the same checks over every handle, the quarantine, and a message carrying an
        /// endpoint to ChannelCalls.SendGeneral). Interrupts off.
        /// Every call it makes is its last act (a tail call), or has nothing live after it but the
        /// result: inlined into the ABI entry, the entry keeps its values in scratch registers, with
        /// no callee-saved register to push and pop (docs/channels.md "Lean send and receive").
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public int SendBlocks(Sip sip, ChannelMessage* m, ulong timeoutNs, bool noReaders)
        {
            // The capacity is a power of two: the tail is a mask, not a compare and a subtract.
            ChannelMessage* q = _queue + (uint)((_head + _count) & (QueueCapacity - 1));
            ulong* d = (ulong*)q, s = (ulong*)m;
            CopyFixed(d, s);
            uint n = (uint)q->HandleCount;
            // Committed (each case on its own, so no block pointer is tested twice). A reader to
            // wake: out of line (the hand-over there too).
            if (n == 0)
            {
                _count++;
                if (!noReaders && _readable.First != null) return CommitWaking(null, sip);
                return ChannelStatus.Ok;
            }
            // PreemptedThreads cannot change before the move (interrupts off), so the one-block
            // case never needs the quarantine.
            if (n != 1 || sip.PreemptedThreads != 0) return SendRest(m, timeoutNs, sip);
            ulong h = s[9];
            d[9] = h;
            // IsSipOwned checks the kind too (the key compare). A test that branches, not an entry
            // or null to test again: the entry then is the handle's slot's (EntryOf).
            if (!ExchangeHeap.IsSipOwned(h, sip)) return SendRest(m, timeoutNs, sip);
            ExchangeHeap.Block* b = ExchangeHeap.EntryOf(h);
            _count++;
            if (!noReaders && _readable.First != null) return CommitWaking(b, sip);
            // The entry found: no second lookup. Nothing is live after it but the result.
            ExchangeHeap.TransferEntry(b, sip, ExchangeHeap.InFlight, null);
            return ChannelStatus.Ok;
        }

        // SendBlocks' commit with readers to wake: the block (if any) into flight, then the wake. Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private int CommitWaking(ExchangeHeap.Block* b, Sip sip)
        {
            if (b != null) ExchangeHeap.TransferEntry(b, sip, ExchangeHeap.InFlight, null);
            _readable.WakeAll();
            return ChannelStatus.Ok;
        }

        // SendBlocks for anything but no handle or one block of a SIP with no thread stopped by the
        // timer: the slot at the tail holds the fixed part already (uncommitted); SendChecked reads
        // the handles into it and checks them; a message carrying an endpoint goes to the general
        // send (from the other end of this channel: the sender's). Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private int SendRest(ChannelMessage* m, ulong timeoutNs, Sip sip)
        {
            ChannelMessage* q = _queue + (uint)((_head + _count) & (QueueCapacity - 1));
            int r = SendChecked(sip, q, (ulong*)m, (uint)q->HandleCount);
            if (r == CarriesEndpoint) return ChannelCalls.SendGeneral(sip, Peer, m, timeoutNs);
            if (r != ChannelStatus.Ok) return r;
            _count++;
            if (_readable.First != null) _readable.WakeAll();
            return ChannelStatus.Ok;
        }

        // SendBlocks for more than one handle, or with a thread of the SIP stopped by the timer:
        // each handle read once into the queue slot `q`, checked there (a block the sender owns,
        // not named twice), then the quarantine, then each block committed. Ok, CarriesEndpoint or
        // the failure, with nothing changed unless Ok. Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        [System.Runtime.CompilerServices.SkipLocalsInit]   // `found` is written before it is read, as far as the count goes
        private static int SendChecked(Sip sip, ChannelMessage* q, ulong* s, uint n)
        {
            if (n > ChannelMessage.MaxHandles) return ChannelStatus.BadMessage;
            ulong* d = (ulong*)q;
            // Each block's slot, found once, is used by the move below (no wait between).
            Slots found;
            int* slots = &found.S0;
            for (uint i = 0; i < n; i++)
            {
                ulong h = s[9 + i];
                d[9 + i] = h;
                if ((h & ChannelMessage.KindMask) != ChannelMessage.KindBlock)
                    return (h & ChannelMessage.KindMask) == ChannelMessage.KindEndpoint ? CarriesEndpoint : ChannelStatus.BadMessage;
                for (uint j = 0; j < i; j++) if (d[9 + j] == h) return ChannelStatus.BadMessage;
                int slot = ExchangeHeap.OwnedSlot(h, sip.Id);
                if (slot < 0) return ChannelStatus.BadMessage;
                slots[i] = slot;
            }
            // Another thread of the SIP stopped by the timer may be inside an access to a block:
            // that block's memory goes to nobody, the message carries a copy (ExchangeQuarantine.cs).
            if (sip.PreemptedThreads != 0)
            {
                int r = ExchangeHeap.BeforeSend(sip, q, slots, (int)n);
                if (r != ChannelStatus.Ok) return r;
            }
            // Commit: the blocks leave the sender (the handles as the slot now holds them).
            for (uint i = 0; i < n; i++)
                ExchangeHeap.TransferAt(slots[i], sip, ExchangeHeap.InFlight, null);
            return ChannelStatus.Ok;
        }

        /// <summary>The slots of a message's blocks, found by a send's check (a struct local in place of a stackalloc: no zeroing loop, no stack cookie).</summary>
        internal struct Slots
        {
            public int S0, S1, S2, S3;
        }

        /// <summary>
        /// Takes the oldest message into <paramref name="m"/> and hands its handles to
        /// <paramref name="sip"/> in the same pass: each block's key rewritten to the SIP
        /// (ExchangeHeap.TakeArrived), each endpoint entered in its handle table (the handle in
        /// <paramref name="m"/> rewritten to the new local one, 0 if the table is full: the endpoint
        /// closes). Kinds and count are read from the queue's own copy, which no SIP reaches; false
        /// if nothing is queued. Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public bool TryTake(Sip sip, ChannelMessage* m)
        {
            if (_count == 0) return false;
            Take(sip, m, false);
            return true;
        }

        /// <summary>
        /// TryTake with a message queued (the caller checked, interrupts off since): Ok. As SendBlocks,
        /// every call is a tail call or has nothing live after it, so the ABI's Receive, which
        /// inlines it, pushes no callee-saved register. The slot is dequeued before its handles are
        /// taken (its copy stays intact: nothing is queued meanwhile, interrupts off). Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public int Take(Sip sip, ChannelMessage* m, bool noSenders)
        {
            int head = _head;
            ChannelMessage* q = _queue + (uint)head;   // unsigned: no sign extension (head is 0..15)
            ulong* d = (ulong*)m, s = (ulong*)q;
            CopyFixed(d, s);
            uint n = (uint)q->HandleCount;
            _head = (head + 1) & (QueueCapacity - 1);
            _count--;
            // Room in this queue: senders on the peer may go on (out of line, the handles there too).
            if (!noSenders && TakeFloor != 0) return TakeWaking(m, head, sip, n);
            if (n == 0) return ChannelStatus.Ok;
            // The usual message: one block (taken here); else TakeHandles.
            ulong h = s[9];
            // The kind in the top two bits (01 for a block), as one signed compare: kinds 10 and 11
            // are negative, kind 00 lies below KindBlock, so only a block's handle is at least
            // KindBlock (a constant load, a compare, a branch; the shift took a copy too).
            if (n != 1 || (long)h < (long)ChannelMessage.KindBlock) return TakeHandles(m, head, sip, n);
            d[9] = h;
            ExchangeHeap.TakeArrived(h, sip);
            return ChannelStatus.Ok;
        }

        // Take with senders waiting for room on the peer: the handles, then the wake. Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private int TakeWaking(ChannelMessage* m, int head, Sip sip, uint n)
        {
            if (n != 0) TakeHandles(m, head, sip, n);
            Peer._writable.WakeAll();
            return ChannelStatus.Ok;
        }

        // TryTake's handles beyond the usual one block: each copied, each block taken, then the
        // endpoints (ArriveEndpoints), from queue slot `head` (intact: nothing queued since,
        // interrupts off). Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private int TakeHandles(ChannelMessage* m, int head, Sip sip, uint n)
        {
            ulong* d = (ulong*)m, s = (ulong*)(_queue + head);
            if (n > ChannelMessage.MaxHandles) n = ChannelMessage.MaxHandles;
            bool endpoints = false;
            for (uint i = 0; i < n; i++)
            {
                ulong h = s[9 + i];
                d[9 + i] = h;
                if ((h & ChannelMessage.KindMask) == ChannelMessage.KindBlock) ExchangeHeap.TakeArrived(h, sip);
                else if ((h & ChannelMessage.KindMask) == ChannelMessage.KindEndpoint) endpoints = true;
            }
            if (endpoints) ArriveEndpoints(sip, m, head, n);
            return ChannelStatus.Ok;
        }

        // The endpoints of the message just taken from queue slot `head` (its copy is intact: nothing
        // queued since, interrupts off) enter the receiver's handle table. Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private void ArriveEndpoints(Sip sip, ChannelMessage* m, int head, uint n)
        {
            ulong* s = (ulong*)(_queue + head);
            for (uint i = 0; i < n; i++)
            {
                if ((s[9 + i] & ChannelMessage.KindMask) != ChannelMessage.KindEndpoint) continue;
                int at = head * ChannelMessage.MaxHandles + (int)i;
                Endpoint c = _carried[at];
                _carried[at] = null;
                if (c == null) continue;
                c.Owner = sip;
                int nh = sip.AddHandle(c);
                if (nh < 0) { c.Close(); m->Handles[i] = 0; }
                else m->Handles[i] = ChannelMessage.KindEndpoint | (uint)nh;
            }
        }

        /// <summary>
        /// Copies the part of a message that is used: tag and handle count, the eight data words and
        /// the handles the count names (clamped to 4; read once, from the copy made). A handle field
        /// past the count is not copied: every reader of a message goes by its count (the kernel's
        /// Arrive and servers, the runtime's HandleAt callers). Interrupts off.
        /// </summary>
        // The fixed part of a message (tag, handle count, data words: 9 words): four 16-byte moves
        // and a word. A 16-byte struct without references is copied through one SSE register (a
        // load and a store), so 10 instructions instead of 18 word moves; a struct copy of the whole
        // 72 bytes would be a memmove call. Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static void CopyFixed(ulong* d, ulong* s)
        {
            *(Pair*)d = *(Pair*)s;
            *(Pair*)(d + 2) = *(Pair*)(s + 2);
            *(Pair*)(d + 4) = *(Pair*)(s + 4);
            *(Pair*)(d + 6) = *(Pair*)(s + 6);
            d[8] = s[8];
        }

        private struct Pair
        {
            public ulong A, B;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static void CopyUsed(ChannelMessage* to, ChannelMessage* from)
        {
            ulong* d = (ulong*)to, s = (ulong*)from;
            CopyFixed(d, s);
            uint n = (uint)to->HandleCount;
            if (n > ChannelMessage.MaxHandles) n = ChannelMessage.MaxHandles;
            for (uint i = 0; i < n; i++) d[9 + i] = s[9 + i];
        }

        /// <summary>
        /// Closes this side: the peer is woken and will see Closed once its queue drains; what
        /// was queued for this side is destroyed, freeing the blocks and closing the endpoints
        /// it carried. Interrupts off.
        /// </summary>
        /// <summary>The SIP closed its handle to this end, or ended (Processes.SipEndHooks).</summary>
        public override void OnHandleClosed() => Close();

        public void Close()
        {
            if (Closed) return;
            Closed = true;
            Owner = null;
            var m = stackalloc ChannelMessage[1];
            var carried = new Endpoint[ChannelMessage.MaxHandles];
            while (TryDequeue(m, carried))
            {
                for (int i = 0; i < m->HandleCount && i < ChannelMessage.MaxHandles; i++)
                {
                    ulong h = m->Handles[i];
                    if ((h & ChannelMessage.KindMask) == ChannelMessage.KindBlock) ExchangeHeap.Free(h, ExchangeHeap.InFlight, null);
                    // carried[i] was written by TryDequeue only for an endpoint handle (any other entry may be stale).
                    else if ((h & ChannelMessage.KindMask) == ChannelMessage.KindEndpoint && carried[i] != null) carried[i].Close();
                }
            }
            Allocator.Free(carried);
            // Threads waiting here (this SIP's, on an endpoint another of its threads closed) and on
            // the peer re-check and see the close. Nobody waits on a closed endpoint again.
            _readable.WakeAll();
            _writable.WakeAll();
            _readable.Clear();
            _writable.Clear();
            WritersChanged();
            Receiver = null;
            Peer._readable.WakeAll();
            Peer._writable.WakeAll();
            // A served end lives only as long as its peer: its close releases both (this one
            // too, once no call holds it), so nothing of `this` is touched after it.
            if (Peer.Server != null && !Peer.Closed)
            {
                Peer.Close();
                return;
            }
            ReleaseIfUnreachable();
        }
    }

    /// <summary>
    /// The threads blocked until something happens to an endpoint (usually one). The first
    /// watcher has a field of its own, so the usual case (one receiver, one blocked sender) adds
    /// and removes without touching the array; more watchers go into the array.
    /// </summary>
    internal sealed class Watchers
    {
        private Thread _first;
        private Thread[] _threads = new Thread[2];
        private int _count;

        public void Add(Thread t)
        {
            if (_first == t) return;
            for (int i = 0; i < _count; i++) if (_threads[i] == t) return;
            if (_first == null) { _first = t; return; }
            if (_count == _threads.Length)
            {
                var bigger = new Thread[_threads.Length * 2];
                for (int i = 0; i < _count; i++) bigger[i] = _threads[i];
                Allocator.Free(_threads);
                _threads = bigger;
            }
            _threads[_count++] = t;
        }

        public void Remove(Thread t)
        {
            if (_first == t)
            {
                // The longest waiting of the others (if any) becomes the first.
                if (_count == 0) { _first = null; return; }
                _first = _threads[0];
                for (int i = 1; i < _count; i++) _threads[i - 1] = _threads[i];
                _threads[--_count] = null;
                return;
            }
            for (int i = 0; i < _count; i++)
            {
                if (_threads[i] != t) continue;
                for (int j = i + 1; j < _count; j++) _threads[j - 1] = _threads[j];
                _threads[--_count] = null;
                return;
            }
        }

        /// <summary>The first thread watching (the longest waiting), or null.</summary>
        public Thread First => _first;

        /// <summary>
        /// Makes every watching thread ready; they re-check what they wait for. Each also loses its
        /// quiet mark (ThreadChannels.QuietVersion), waiting or not: its kept registration may have become
        /// readable. Interrupts off.
        /// </summary>
        public void WakeAll()
        {
            if (_first == null) return;
            Wake(_first);
            for (int i = 0; i < _count; i++) Wake(_threads[i]);
        }

        private static void Wake(Thread t)
        {
            ThreadChannels tc = ThreadChannels.Peek(t);
            if (tc != null) tc.QuietVersion = 0;
            Scheduler.WakeDirect(t);
        }

        /// <summary>Forgets every watcher (woken already). Interrupts off.</summary>
        public void Clear()
        {
            _first = null;
            for (int i = 0; i < _count; i++) _threads[i] = null;
            _count = 0;
        }

        /// <summary>Returns this list's memory to the kernel heap (its endpoint is being freed).</summary>
        public void Free()
        {
            Allocator.Free(_threads);
            Allocator.Free(this);
        }
    }
}
