using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Singularity.Abi;
using Singularity.Runtime;

namespace Singularity.Ipc
{
    /// <summary>
    /// A block of the exchange heap: memory that moves between SIPs by ownership. Sending it in
    /// a message gives it away; afterwards this SIP can no longer reach it. An access needs no
    /// kernel call: the block's header (in a kernel table the runtime reads, ExchangeGuard) holds
    /// a check word naming the block's address and its owner, and every access checks that it names
    /// this value's address and this SIP, then its range against the header's length, then loads or
    /// stores at that address. A thread stopped by the timer in between is covered by the kernel's
    /// quarantine: a block it may still touch goes to nobody when another thread sends or frees it
    /// (docs/channels.md "Exchange heap"). Contract-typed endpoints build on this.
    /// </summary>
    /// <safety>Opaque (internal fields): the header pointer the runtime found for a kernel-issued
    /// handle when the value was made (through the kernel's fixed directory, only for a block-kind
    /// handle whose slot is inside it; null otherwise) and the data address that header held then.
    /// <c>default</c> is the null block, whose accesses fail (the indexer's header read faults in page
    /// 0: NullReferenceException; Length, ReadInt64, WriteInt64 and the copies check for null:
    /// InvalidOperationException). Each field is read once per use. An access passes only if the
    /// header's check word (which only the kernel writes: the block's address xored with its owner's
    /// tag, each SIP's unique, addresses below the tag) equals this value's address xored with this
    /// SIP's tag: then that header's block is at this address and is this SIP's, and the access stays
    /// inside the header's length. So a value torn by a racing copy in a heap object (the header of
    /// one value, the address of another) reaches at most a block of this SIP's at that very address,
    /// and names for a free or send at most a handle the kernel checks like any other. A value kept
    /// after its block was sent or freed fails (the check word names another owner, or nobody); one
    /// kept after a free until this SIP gets a new block in the same slot at the same address reaches
    /// that new block, which is this SIP's own (as a stale array reference would; isolation holds). An
    /// access makes no kernel call between its check (a load of the header's check word, which the
    /// compiler never moves across a call) and its load or store, so a thread stopped in between is
    /// one the timer stopped, and the kernel parks any block such a thread may still touch rather than
    /// hand its memory on (the receiver gets a copy): no access of this SIP reaches memory the kernel
    /// has given to anyone else. The two fields are trusted as the runtime wrote them: only a verifier
    /// bug that let SIP code write a runtime struct's internal field (SV0112 refuses overlapping
    /// layouts) could forge them, and the directory lookup is not repeated on every access (issue 17:
    /// the lookup was most of an access).</safety>
    public readonly unsafe struct ExBlock
    {
        // Two words, so the value travels in two registers and the compiler keeps both in registers
        // in a loop: the header the directory gives for the handle (null if it gives none: the null
        // block), and the data address the header held when the value was made. Accesses use only
        // these two (and the header's check word and length). The handle is made from the header for
        // a free or send (its slot and generation), if the check word says this SIP owns the block.
        private readonly ExchangeHeader* _header;
        private readonly byte* _data;

        /// <unsafe>Stores the header ExchangeGuard.Header gives for the handle (null for any handle it does not
        /// admit) and that header's Data as it reads now (null if the handle's generation is not the
        /// header's: ExchangeGuard.DataFor); every access checks the pair against the header's check word.</unsafe>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal ExBlock(ulong handle)
        {
            ExchangeHeader* x = ExchangeGuard.Header(handle);
            _header = x;
            _data = x == null ? null : ExchangeGuard.DataFor(x, handle);
        }

        /// <unsafe>Stores <paramref name="x"/>, a header ExchangeGuard gave (not null), and <paramref name="data"/> (ExchangeGuard.DataFor).</unsafe>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal ExBlock(ExchangeHeader* x, byte* data)
        {
            _header = x;
            _data = data;
        }

        /// <summary>The handle the kernel knows the block by (0 for the null block; one naming no block if this SIP no longer owns it).</summary>
        /// <unsafe>Reads the header's Check, Slot (written once with the header chunk) and HandleHigh (ExchangeGuard.HandleOf).</unsafe>
        internal ulong Handle
        {
            get
            {
                ExchangeHeader* x = _header;
                return x == null ? 0 : ExchangeGuard.HandleOf(x, _data);
            }
        }

        // Begins an access (ExchangeGuard.Check): the header's block is at `data` and this SIP's. The
        // caller then checks its range against the header's Length and loads or stores at `data`,
        // with no kernel call before its last load or store. The bulk members check for null first
        // (EnterChecked: InvalidOperationException).
        /// <unsafe>Reads the header pointer and data address once each; ExchangeGuard.Check refuses a
        /// header whose check word is not the address xored with this SIP's tag; a null header faults in page 0.</unsafe>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ExchangeHeader* Enter(out byte* data)
        {
            ExchangeHeader* x = _header;
            byte* d = _data;
            ExchangeGuard.Check(x, d);
            data = d;
            return x;
        }

        // As Enter, with the null block refused as not owned (the bulk members, off the hot path).
        /// <unsafe>As Enter, after refusing a null header pointer.</unsafe>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ExchangeHeader* EnterChecked(out byte* data)
        {
            ExchangeHeader* x = _header;
            byte* d = _data;
            if (x == null) ExchangeGuard.NotOwned();
            ExchangeGuard.Check(x, d);
            data = d;
            return x;
        }

        /// <safety>Compares the header pointer with null; no memory is touched.</safety>
        /// <unsafe>Only compares the pointer field with null.</unsafe>
        public bool IsNull => _header == null;

        /// <summary>A zeroed block; throws when the exchange heap quota is exhausted.</summary>
        /// <safety>Refuses a length of 0 or less (ArgumentOutOfRangeException); the kernel bounds the
        /// length (64 MiB) and the SIP's exchange quota and returns 0 on failure, which becomes
        /// OutOfMemoryException.</safety>
        /// <unsafe>Calls the kernel's ExAllocate with a positive length; the kernel checks quota and size.</unsafe>
        public static ExBlock Allocate(int length)
        {
            if (length <= 0) throw new ArgumentOutOfRangeException("length");
            ulong h = KernelCalls.Abi->ExAllocate((ulong)length);
            if (h == 0) throw new OutOfMemoryException("exchange heap quota exhausted");
            return new ExBlock(h);
        }

        /// <safety>Checks the header names this value's address and this SIP (else
        /// InvalidOperationException), then reads the length from the header; touches no block memory.</safety>
        /// <unsafe>Reads the header (a kernel table entry that is never freed) after a null check.</unsafe>
        public int Length
        {
            get
            {
                ExchangeHeader* x = _header;
                if (x == null) ExchangeGuard.NotOwned();
                ExchangeGuard.Check(x, _data);
                return (int)x->Length;          // the kernel's blocks are at most 64 MiB
            }
        }

        /// <safety>An access (ExchangeGuard.Check: the header's block is at this value's address and is
        /// this SIP's; the kernel keeps the memory from any other owner while this thread may still use
        /// it), <paramref name="index"/> checked unsigned against the header's length
        /// (IndexOutOfRangeException), then one byte.</safety>
        /// <unsafe>One byte at <c>data + index</c> with <c>index &lt; Length</c>, after the check that the
        /// header's block is at <c>data</c> and this SIP's.</unsafe>
        public byte this[int index]
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get
            {
                ExchangeHeader* x = _header;
                byte* d = _data;
                ExchangeGuard.Check(x, d);
                if ((uint)index >= x->Length) ExchangeGuard.OutOfRange();
                return d[(uint)index];
            }
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            set
            {
                ExchangeHeader* x = _header;
                byte* d = _data;
                ExchangeGuard.Check(x, d);
                if ((uint)index >= x->Length) ExchangeGuard.OutOfRange();
                d[(uint)index] = value;
            }
        }

        /// <safety>As the indexer, for the 8 bytes at <paramref name="offset"/>: the range is checked
        /// in 64 bits (no wrap) against the block's length.</safety>
        /// <unsafe>An unaligned 8-byte read at <c>data + offset</c>, <c>offset + 8 &lt;= Length</c>, inside an access.</unsafe>
        public long ReadInt64(int offset)
        {
            ExchangeHeader* x = EnterChecked(out byte* d);
            if (offset < 0 || (ulong)offset + 8 > x->Length) ExchangeGuard.OutOfRange();
            return *(long*)(d + offset);
        }

        /// <safety>As ReadInt64, writing.</safety>
        /// <unsafe>An unaligned 8-byte write at <c>data + offset</c>, <c>offset + 8 &lt;= Length</c>, inside an access.</unsafe>
        public void WriteInt64(int offset, long value)
        {
            ExchangeHeader* x = EnterChecked(out byte* d);
            if (offset < 0 || (ulong)offset + 8 > x->Length) ExchangeGuard.OutOfRange();
            *(long*)(d + offset) = value;
        }

        /// <safety>Copies the whole array into the block at <paramref name="offset"/>: null throws
        /// ArgumentNullException; the range <c>offset + source.Length</c> is checked in 64 bits against
        /// the block's length (an array's length cannot change); the copy runs inside an access.</safety>
        public void CopyFrom(byte[] source, int offset)
        {
            if (source == null) throw new ArgumentNullException("source");
            CopyFrom(source, 0, offset, source.Length);
        }

        /// <safety>As CopyFrom, the other way: the whole array is filled from the block at <paramref name="offset"/>.</safety>
        public void CopyTo(byte[] destination, int offset)
        {
            if (destination == null) throw new ArgumentNullException("destination");
            CopyTo(offset, destination, 0, destination.Length);
        }

        /// <summary>Copies <paramref name="count"/> bytes of <paramref name="source"/> from <paramref name="index"/> into the block at <paramref name="offset"/>.</summary>
        /// <safety>Null throws ArgumentNullException; both ranges are checked in 64 bits (no wrap)
        /// against the array's and the block's length (ArgumentOutOfRangeException,
        /// IndexOutOfRangeException); one memory move inside an access.</safety>
        /// <unsafe>Moves <c>count</c> bytes from the array at <c>index</c> to <c>data + offset</c>, both ranges checked, inside an access.</unsafe>
        public void CopyFrom(byte[] source, int index, int offset, int count)
        {
            if (source == null) throw new ArgumentNullException("source");
            if (index < 0 || count < 0 || (ulong)index + (ulong)count > (ulong)source.Length) throw new ArgumentOutOfRangeException("count");
            ExchangeHeader* x = EnterChecked(out byte* d);
            if (offset < 0 || (ulong)offset + (ulong)count > x->Length) ExchangeGuard.OutOfRange();
            if (count > 0) SpanHelpers.Memmove(ref d[offset], ref source[index], (nuint)count);
        }

        /// <summary>Copies <paramref name="count"/> bytes of the block from <paramref name="offset"/> into <paramref name="destination"/> at <paramref name="index"/>.</summary>
        /// <safety>As the ranged CopyFrom, the other way.</safety>
        /// <unsafe>Moves <c>count</c> bytes from <c>data + offset</c> into the array at <c>index</c>, both ranges checked, inside an access.</unsafe>
        public void CopyTo(int offset, byte[] destination, int index, int count)
        {
            if (destination == null) throw new ArgumentNullException("destination");
            if (index < 0 || count < 0 || (ulong)index + (ulong)count > (ulong)destination.Length) throw new ArgumentOutOfRangeException("count");
            ExchangeHeader* x = EnterChecked(out byte* d);
            if (offset < 0 || (ulong)offset + (ulong)count > x->Length) ExchangeGuard.OutOfRange();
            if (count > 0) SpanHelpers.Memmove(ref destination[index], ref d[offset], (nuint)count);
        }

        /// <summary>Sets <paramref name="count"/> bytes from <paramref name="offset"/> to <paramref name="value"/>.</summary>
        /// <safety>The range is checked in 64 bits against the block's length (negative count:
        /// ArgumentOutOfRangeException, past the end: IndexOutOfRangeException); inside an access.</safety>
        /// <unsafe>Writes <c>count</c> bytes at <c>data + offset</c> (8 at a time, then the rest), range checked, inside an access.</unsafe>
        public void Fill(int offset, int count, byte value)
        {
            if (count < 0) throw new ArgumentOutOfRangeException("count");
            ExchangeHeader* x = EnterChecked(out byte* d);
            if (offset < 0 || (ulong)offset + (ulong)count > x->Length) ExchangeGuard.OutOfRange();
            byte* p = d + offset;
            if (value == 0) SpanHelpers.ClearWithoutReferences(ref *p, (nuint)count);
            else
            {
                ulong word = value * 0x0101010101010101UL;
                int i = 0;
                for (; i + 8 <= count; i += 8) *(ulong*)(p + i) = word;
                for (; i < count; i++) p[i] = value;
            }
        }

        /// <summary>Whether <paramref name="count"/> bytes of the block from <paramref name="offset"/> equal those of <paramref name="other"/> from <paramref name="index"/>.</summary>
        /// <safety>As the ranged CopyTo: both ranges checked, a read-only compare inside an access.</safety>
        /// <unsafe>Reads <c>count</c> bytes at <c>data + offset</c> and of the pinned-by-nature array at <c>index</c> (8 at a time, then the rest), both ranges checked, inside an access.</unsafe>
        public bool ContentEquals(int offset, byte[] other, int index, int count)
        {
            if (other == null) throw new ArgumentNullException("other");
            if (index < 0 || count < 0 || (ulong)index + (ulong)count > (ulong)other.Length) throw new ArgumentOutOfRangeException("count");
            ExchangeHeader* x = EnterChecked(out byte* d);
            if (offset < 0 || (ulong)offset + (ulong)count > x->Length) ExchangeGuard.OutOfRange();
            byte* p = d + offset;
            bool equal = true;
            if (count > 0)
            {
                // The collector never moves objects (docs/memory.md), so the array's address holds.
                byte* q = (byte*)Unsafe.AsPointer(ref other[index]);
                int i = 0;
                for (; i + 8 <= count; i += 8) if (*(ulong*)(p + i) != *(ulong*)(q + i)) { equal = false; break; }
                if (equal) for (; i < count; i++) if (p[i] != q[i]) { equal = false; break; }
            }
            return equal;
        }

        /// <summary>Element <paramref name="index"/> of the block viewed as T[] (ExArray's indexer).</summary>
        /// <unsafe>Unsafe.Read of one T at <c>data + index * size</c>, where <c>(index + 1) * size &lt;= Length</c>
        /// (64-bit, no wrap), inside an access; callers check T has no references.</unsafe>
        internal T ReadElement<T>(int index) where T : unmanaged
        {
            ExchangeHeader* x = Enter(out byte* d);
            ulong size = (ulong)Unsafe.SizeOf<T>();
            if (index < 0 || ((ulong)index + 1) * size > x->Length) ExchangeGuard.OutOfRange();
            return Unsafe.Read<T>(d + (ulong)index * size);
        }

        /// <summary>Writes element <paramref name="index"/> of the block viewed as T[].</summary>
        /// <unsafe>As ReadElement, writing one T.</unsafe>
        internal void WriteElement<T>(int index, T value) where T : unmanaged
        {
            ExchangeHeader* x = Enter(out byte* d);
            ulong size = (ulong)Unsafe.SizeOf<T>();
            if (index < 0 || ((ulong)index + 1) * size > x->Length) ExchangeGuard.OutOfRange();
            Unsafe.Write<T>(d + (ulong)index * size, value);
        }

        /// <safety>The kernel frees only a block this SIP owns (else InvalidOperationException), and
        /// parks it instead while another thread of this SIP may still be inside an access to it, so
        /// no access continues into memory given to anyone else.</safety>
        /// <unsafe>Calls the kernel's ExFree with the handle made from the header's slot and generation
        /// (ExchangeGuard.HandleOf; one naming no block unless the header says this SIP owns it); the
        /// kernel checks it like any other.</unsafe>
        public void Free()
        {
            if (KernelCalls.Abi->ExFree(Handle) != 0) throw new InvalidOperationException("this SIP does not own the exchange block");
        }
    }

    /// <summary>One end of a channel, as a handle of this SIP.</summary>
    /// <safety>An opaque handle (internal field) into this SIP's handle table in the kernel, which
    /// checks it on every call (a forged, stale or closed handle gets BadHandle); <c>default</c> is the
    /// null endpoint.</safety>
    public readonly unsafe struct RawEndpoint
    {
        internal readonly int Handle;

        internal RawEndpoint(int handle) { Handle = handle; }

        /// <safety>Compares the handle; no memory is touched.</safety>
        public bool IsNull => Handle <= 0;

        /// <safety>The kernel writes the two new handles into locals of this method; failure
        /// (handle table or memory full) is OutOfMemoryException.</safety>
        /// <unsafe>Passes the addresses of two locals to the kernel's ChannelCreate.</unsafe>
        public static void CreateChannel(out RawEndpoint imp, out RawEndpoint exp)
        {
            int a, b;
            int r = KernelCalls.Abi->ChannelCreate(&a, &b);
            if (r != ChannelStatus.Ok) throw new OutOfMemoryException("cannot create a channel");
            imp = new RawEndpoint(a);
            exp = new RawEndpoint(b);
        }

        /// <summary>Sends; blocks while the peer's queue is full. Returns Ok, Closed, TimedOut or BadMessage.</summary>
        /// <safety>The kernel reads each word of the message at most once, with interrupts off and before
        /// any wait (into the queue slot it sends into, or into a copy of its own for the general
        /// send), and checks and moves only what it read: another thread changing
        /// <paramref name="message"/> meanwhile changes at most what is sent. It checks everything
        /// before anything moves (the handle count 0..4, each handle this SIP's to give, none twice:
        /// else BadMessage), and gives the receiver a copy of a block another thread of this SIP may
        /// still be inside an access to, keeping the original from everyone (docs/channels.md
        /// "Exchange heap"). The kernel never writes the message.</safety>
        /// <unsafe>Hands the kernel's ChannelSend the address of the caller's message (a local, or a
        /// field of an object the collector never moves, referenced by the parameter for the call),
        /// whose layout is the ABI's ChannelMessage (both sequential, same fields).</unsafe>
        public RecvStatus Send(ref RawMessage message, int timeoutMs = -1)
        {
            int r = ChannelEntries.Send(Handle, (ChannelMessage*)Unsafe.AsPointer(ref message), Threading.Sync.TimeoutNs(timeoutMs));
            return r == ChannelStatus.Ok ? RecvStatus.Ok : Status(r);
        }

        /// <summary>
        /// Sends <paramref name="request"/> and waits for the next message on this endpoint, in one
        /// kernel call (request/reply protocols): a receiver already waiting runs next directly.
        /// Returns the send's status if it failed (no reply then), else the receive's.
        /// </summary>
        /// <safety>As Send for the request: the kernel reads each word of it at most once, before any
        /// wait, checks and moves only what it read (a count outside 0..4, a handle not this SIP's to
        /// give, or one twice: BadMessage, nothing sent), never writes it, and quarantines a block
        /// another thread of this SIP may still be inside an access to (the receiver gets a copy). As
        /// Receive for the reply: the kernel writes it straight into <paramref name="reply"/>, only for
        /// Ok and only once the request was read (the two may be the same variable); on any other
        /// status the reply is set to default.</safety>
        /// <unsafe>Hands the kernel's ChannelCall the addresses of the caller's request and reply (locals,
        /// or fields of objects the collector never moves, referenced by the parameters for the call),
        /// the ABI's ChannelMessage layout.</unsafe>
        public RecvStatus Call(ref RawMessage request, out RawMessage reply, int timeoutMs = -1)
        {
            Unsafe.SkipInit(out reply);
            int r = ChannelEntries.Call(Handle, (ChannelMessage*)Unsafe.AsPointer(ref request),
                                        (ChannelMessage*)Unsafe.AsPointer(ref reply), Threading.Sync.TimeoutNs(timeoutMs));
            if (r == ChannelStatus.Ok) return RecvStatus.Ok;
            reply = default;
            return Status(r);
        }

        /// <summary>
        /// As Call, with the reply written over the request (one message variable: a caller that no
        /// longer needs its request has no second 104-byte local to clear). Returns the send's status
        /// if it failed, else the receive's; on any status but Ok <paramref name="message"/> is left as
        /// it was (the kernel writes it only for Ok).
        /// </summary>
        /// <safety>As Call with the request and the reply the same variable, which the ABI allows: the
        /// kernel reads each word of the request at most once, before any wait, and writes the reply
        /// into the variable only for Ok, after the request was read. Left as it was otherwise: its
        /// handles are checked by the kernel on any later send like any other.</safety>
        /// <unsafe>Hands the kernel's ChannelCall the address of the caller's message (a local, or a field
        /// of an object the collector never moves, referenced by the parameter for the call) as both
        /// request and reply, the ABI's ChannelMessage layout.</unsafe>
        public RecvStatus Call(ref RawMessage message, int timeoutMs = -1)
        {
            ChannelMessage* m = (ChannelMessage*)Unsafe.AsPointer(ref message);
            int r = ChannelEntries.Call(Handle, m, m, Threading.Sync.TimeoutNs(timeoutMs));
            return r == ChannelStatus.Ok ? RecvStatus.Ok : Status(r);
        }

        /// <summary>Receives the next message; Closed once the peer is gone and the queue is empty.</summary>
        /// <safety>The kernel writes the message straight into <paramref name="message"/> (the tag,
        /// count, data words and the handles the count names, which it moved to this SIP), only for
        /// Ok; on any other status it wrote nothing and the message is set to default. Handle fields
        /// past the count keep what they held: every reader goes by the count (HandleCount, GetBlock,
        /// GetEndpoint check it).</safety>
        /// <unsafe>Hands the kernel's ChannelReceive the address of the caller's message (a local, or a
        /// field of an object the collector never moves, referenced by the parameter for the call,
        /// which is used again after it), the ABI's ChannelMessage layout.</unsafe>
        public RecvStatus Receive(out RawMessage message, int timeoutMs = -1)
        {
            Unsafe.SkipInit(out message);
            int r = ChannelEntries.Receive(Handle, (ChannelMessage*)Unsafe.AsPointer(ref message), Threading.Sync.TimeoutNs(timeoutMs));
            if (r == ChannelStatus.Ok) return RecvStatus.Ok;
            message = default;
            return Status(r);
        }

        /// <summary>Waits until one endpoint has a message or a closed peer; its index, or -1 on timeout.</summary>
        /// <safety>Null throws; the count is checked (1 to 64, ArgumentOutOfRangeException) before
        /// the handles are copied into a stack buffer of exactly that many, reading each array element
        /// once; the kernel checks every handle and returns an index below the count.</safety>
        /// <unsafe>Fills a stackalloc'd buffer of <c>endpoints.Length</c> (at most 64) handles and passes it to the kernel's ChannelSelect.</unsafe>
        public static int Select(RawEndpoint[] endpoints, int timeoutMs = -1)
        {
            if (endpoints == null) throw new ArgumentNullException("endpoints");
            int n = endpoints.Length;
            if (n == 0 || n > SipLimits.SelectMaxEndpoints) throw new ArgumentOutOfRangeException("endpoints");
            int* handles = stackalloc int[n];
            for (int i = 0; i < n; i++) handles[i] = endpoints[i].Handle;
            int r = KernelCalls.Abi->ChannelSelect(handles, n, Threading.Sync.TimeoutNs(timeoutMs));
            if (r >= 0 && r < n) return r;
            if (r == ChannelStatus.TimedOut) return -1;
            throw new InvalidOperationException("select over an endpoint this SIP does not hold");
        }

        /// <summary>
        /// Select and Receive in one kernel call (the server side of request/reply): waits until one
        /// endpoint has a message or a closed peer, sets <paramref name="index"/> to it and returns
        /// Ok with its message, or Closed once its peer is gone and its queue empty; TimedOut (index
        /// -1) when the timeout passed. A sender that finds this thread waiting hands the message over
        /// directly.
        /// </summary>
        /// <safety>As Select for the endpoints (null throws, count 1 to 128 checked, the handles copied
        /// into a stack buffer of exactly that many, each read once; a handle that is not this SIP's
        /// open endpoint throws InvalidOperationException); the kernel writes the message into a local
        /// of this method and the index into another, which is used only if below the count.</safety>
        /// <unsafe>A stackalloc'd buffer of <c>endpoints.Length</c> (at most 128) handles, the address of a
        /// local RawMessage (the ABI's ChannelMessage layout) and of a local int, passed to the kernel's ChannelReceiveAny.</unsafe>
        public static RecvStatus ReceiveAny(RawEndpoint[] endpoints, out RawMessage message, out int index, int timeoutMs = -1)
        {
            if (endpoints == null) throw new ArgumentNullException("endpoints");
            int n = endpoints.Length;
            if (n == 0 || n > SipLimits.SelectMaxEndpoints) throw new ArgumentOutOfRangeException("endpoints");
            int* handles = stackalloc int[n];
            for (int i = 0; i < n; i++) handles[i] = endpoints[i].Handle;
            RawMessage received;
            int at = -1;
            int r = KernelCalls.Abi->ChannelReceiveAny(handles, n, (ChannelMessage*)&received, &at, Threading.Sync.TimeoutNs(timeoutMs));
            if (r == ChannelStatus.BadHandle) throw new InvalidOperationException("receive over an endpoint this SIP does not hold");
            index = at >= 0 && at < n ? at : -1;
            // The message is copied out only when the kernel wrote one (Ok): one copy, no clearing first.
            if (r == ChannelStatus.Ok && index >= 0) { message = received; return RecvStatus.Ok; }
            message = default;
            if (index < 0 && r != ChannelStatus.TimedOut) return RecvStatus.BadHandle;
            return Status(r);
        }

        /// <summary>
        /// The server's side of request/reply in one kernel call: sends <paramref name="reply"/> on
        /// <paramref name="replyTo"/> (nothing when it is the null endpoint), then receives as
        /// ReceiveAny on <paramref name="endpoints"/>. A client waiting in Call for this reply gets
        /// it straight into its buffer and runs at once while this thread waits for the next
        /// message (docs/channels.md "Fast path"). <paramref name="replyStatus"/> is the reply's
        /// status (Ok, Closed, TimedOut, BadMessage; Ok when there was none); the receive happens
        /// whatever it is, and a reply that was not sent leaves its blocks with this SIP. Returns
        /// the receive's status and index as ReceiveAny.
        /// </summary>
        /// <safety>The endpoints: null throws, a count outside 1 to 128 throws ArgumentOutOfRangeException
        /// (none refused here; more than 128 refused by the kernel before it reads a handle or sends
        /// the reply, then thrown); the kernel reads the handles
        /// straight from the array (a RawEndpoint is its one int handle), n of them, which another
        /// thread may change meanwhile: the kernel checks each handle as it reads it (a handle that is
        /// not this SIP's open endpoint throws InvalidOperationException) and answers an index, used
        /// only if below the count. The reply as Send (nothing read of it when
        /// <paramref name="replyTo"/> is the null endpoint): the kernel reads each word of it at most
        /// once, before any wait, never writes it, checks the count (outside 0..4: not sent,
        /// BadMessage) and every handle before anything moves (a block not this SIP's, or one twice:
        /// not sent, BadMessage), and quarantines a block another thread of this SIP may still be
        /// inside an access to (the client gets a copy). The kernel writes the received message
        /// straight into <paramref name="message"/>, only for Ok and only once the reply was read (the
        /// two may be the same variable; on any other status it is set to default), and the index and
        /// the reply's status into a local pair; the index is used only if below the count.</safety>
        /// <unsafe>The address of the array's first element (<c>endpoints.Length</c>, at least 1, RawEndpoints, each
        /// one int, so that many ints, which the kernel reads only for a count of at most 128; the
        /// collector never moves objects, and the array stays referenced
        /// by the parameter and the pointer for the call), the addresses of the caller's reply and
        /// message (locals, or fields of objects the collector never moves, referenced by the
        /// parameters for the call; the ABI's ChannelMessage layout) and of a local pair of ints,
        /// passed to the kernel's ChannelReplyAndReceive.</unsafe>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RecvStatus ReplyAndReceive(RawEndpoint replyTo, ref RawMessage reply, RawEndpoint[] endpoints, out RawMessage message,
                                                 out int index, out RecvStatus replyStatus, int timeoutMs = -1)
        {
            Unsafe.SkipInit(out message);
            return ReplyAndReceiveInto(replyTo, (ChannelMessage*)Unsafe.AsPointer(ref reply), endpoints, ref message, out index, out replyStatus, timeoutMs);
        }

        /// <summary>
        /// As ReplyAndReceive, with the reply written over the received message (one message
        /// variable, as the in-place Call): <paramref name="message"/> is sent as the reply on
        /// <paramref name="replyTo"/> (nothing when it is the null endpoint), then the next message
        /// is received into it. A server that answers a request by changing it (its tag, data words;
        /// the blocks it carried, which the kernel moved to this SIP with it, go back with it) builds
        /// no second message. On any status but Ok <paramref name="message"/> is set to default; a
        /// reply that was not sent leaves its blocks with this SIP (the values taken from it still
        /// name them).
        /// </summary>
        /// <safety>As ReplyAndReceive with the reply and the message the same variable, which the ABI
        /// allows: the kernel reads each word of the reply at most once, before any wait and before it
        /// writes the message, and writes the message only for Ok (handle fields past its count keep
        /// what they held: every reader goes by the count).</safety>
        /// <unsafe>As ReplyAndReceive, the address of the caller's one message (a local, or a field of
        /// an object the collector never moves, referenced by the parameter for the call) passed as both
        /// reply and message.</unsafe>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RecvStatus ReplyAndReceive(RawEndpoint replyTo, ref RawMessage message, RawEndpoint[] endpoints,
                                                 out int index, out RecvStatus replyStatus, int timeoutMs = -1) =>
            ReplyAndReceiveInto(replyTo, (ChannelMessage*)Unsafe.AsPointer(ref message), endpoints, ref message, out index, out replyStatus, timeoutMs);

        // Both ReplyAndReceives: the reply at `reply` (the message's own address for the in-place one).
        /// <unsafe>As ReplyAndReceive: <paramref name="reply"/> is the address of the caller's reply
        /// (referenced by the caller's parameter for the call), <paramref name="message"/> the caller's.</unsafe>
        [MethodImpl(MethodImplOptions.AggressiveInlining), SkipLocalsInit]   // `pair` is set before the call: no zeroing in the loop it is inlined into
        private static RecvStatus ReplyAndReceiveInto(RawEndpoint replyTo, ChannelMessage* reply, RawEndpoint[] endpoints, ref RawMessage message,
                                                      out int index, out RecvStatus replyStatus, int timeoutMs)
        {
            // Inlined into the server's loop (once per round trip): no frame of its own, no
            // registers saved, the arguments where the loop keeps them; the throws out of line.
            if (endpoints == null) NullSet();
            int n = endpoints.Length;
            // A count above 128 the kernel refuses before it reads a handle or sends the reply
            // (BadHandle, thrown below as this refusal): one test here, which also keeps the
            // address of the first element free of a bounds check.
            if (n == 0) BadCount();
            int* handles = (int*)Unsafe.AsPointer(ref Unsafe.As<RawEndpoint, int>(ref endpoints[0]));
            // The index and the reply's status (two ints in one local word): -1 and Ok in one store.
            // The kernel writes the status only when there was a reply, so Ok stays for none.
            ulong pair = 0xFFFFFFFFUL;
            ulong timeoutNs = Threading.Sync.TimeoutNs(timeoutMs);
            // The reply endpoint and the count in one argument word (the ABI has six registers).
            long replyAndCount = (long)(uint)replyTo.Handle | ((long)n << 32);
            int r = ChannelEntries.ReplyAndReceive(replyAndCount, reply, (ChannelMessage*)Unsafe.AsPointer(ref message), handles, (int*)&pair, timeoutNs);
            // The usual answer tested first, each result read once from this method's own local
            // (no other thread reaches it): a message at an index below the count, the reply sent.
            int at = (int)pair;
            int rs = (int)(pair >> 32);
            replyStatus = rs == ChannelStatus.Ok ? RecvStatus.Ok : Status(rs);
            if (r == ChannelStatus.Ok && (uint)at < (uint)n) { index = at; return RecvStatus.Ok; }
            if (n > SipLimits.SelectMaxEndpoints) BadCount();
            // The index set here, not through NotReceived: an index whose address went to a call
            // would live in memory in the caller's loop, every use a load.
            index = (uint)at < (uint)n ? at : -1;
            return NotReceived(r, index, out message);
        }

        // ReplyAndReceive's refusals of its endpoint array (null, a count outside 1 to 128). Not
        // NoInlining: the compiler sees they never return, so the inlined caller saves nothing around them.
        private static void NullSet() => throw new ArgumentNullException("endpoints");

        private static void BadCount() => throw new ArgumentOutOfRangeException("endpoints");

        // ReplyAndReceive's answer when no message was received (the index already -1 unless
        // below the count): the message cleared, a bad handle thrown. Out of line: the usual path
        // keeps fewer registers.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static RecvStatus NotReceived(int r, int index, out RawMessage message)
        {
            message = default;
            if (r == ChannelStatus.BadHandle) throw new InvalidOperationException("receive over an endpoint this SIP does not hold");
            if (index < 0 && r != ChannelStatus.TimedOut) return RecvStatus.BadHandle;
            return Status(r);
        }

        /// <safety>The kernel closes the handle only if it is this SIP's; otherwise nothing happens.</safety>
        /// <unsafe>Calls the kernel's ChannelClose with the handle, which the kernel checks.</unsafe>
        public void Close() => KernelCalls.Abi->ChannelClose(Handle);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static RecvStatus Status(int r) => r switch
        {
            ChannelStatus.Ok => RecvStatus.Ok,
            ChannelStatus.Closed => RecvStatus.Closed,
            ChannelStatus.TimedOut => RecvStatus.TimedOut,
            ChannelStatus.BadMessage => RecvStatus.BadMessage,
            _ => RecvStatus.BadHandle,
        };
    }

    /// <safety>An enum of results; any value is harmless.</safety>
    /// <allmembers>A constant.</allmembers>
    public enum RecvStatus { Ok, Closed, TimedOut, BadMessage, BadHandle }

    /// <summary>
    /// A message as it crosses a channel: a tag, eight words of data and up to four handles
    /// (exchange blocks or endpoints) that move with it. Same layout as the kernel's.
    /// </summary>
    /// <safety>Plain data: the tag and data words are public, the handles private and added only
    /// from ExBlock and RawEndpoint values (which the kernel checks when the message is sent). The
    /// handle count is private and checked wherever it is read (0 to 4), so a count that two racing
    /// Add calls push past 4 makes Add throw and a send BadMessage, never an access past the four
    /// handle fields.</safety>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct RawMessage
    {
        /// <safety>Plain data the receiver interprets.</safety>
        public int Tag;
        private int _handleCount;
        /// <safety>Plain data the receiver interprets.</safety>
        public long D0, D1, D2, D3, D4, D5, D6, D7;
        private ulong _h0, _h1, _h2, _h3;

        /// <safety>The number of handles, 0 to 4 (a corrupt count reads as 0).</safety>
        public int HandleCount { get { int n = _handleCount; return (uint)n <= ChannelMessage.MaxHandles ? n : 0; } }

        internal int RawHandleCount => _handleCount;

        internal const int DataBytes = ChannelMessage.DataWords * 8;

        internal const int MaxHandles = ChannelMessage.MaxHandles;

        // The data words are contiguous (the struct is sequential): D0 is the first byte. The
        // collector never moves objects, so the address stays valid while `this` is in use.
        /// <unsafe>Unsafe.Read of one T at <c>&amp;D0 + at</c> after checking <c>0 &lt;= at</c> and
        /// <c>at + sizeof(T) &lt;= 64</c> unsigned: inside this message's own data words. Callers (MessageFrame)
        /// check T has no references.</unsafe>
        internal T ReadData<T>(int at) where T : unmanaged
        {
            if ((uint)at > DataBytes || (uint)Unsafe.SizeOf<T>() > (uint)(DataBytes - at)) throw new InvalidOperationException("a message carries at most 64 bytes of data");
            return Unsafe.Read<T>((byte*)Unsafe.AsPointer(ref D0) + at);
        }

        /// <unsafe>As ReadData, writing one T.</unsafe>
        internal void WriteData<T>(int at, T value) where T : unmanaged
        {
            if ((uint)at > DataBytes || (uint)Unsafe.SizeOf<T>() > (uint)(DataBytes - at)) throw new InvalidOperationException("a message carries at most 64 bytes of data");
            Unsafe.Write<T>((byte*)Unsafe.AsPointer(ref D0) + at, value);
        }

        /// <summary>
        /// Makes the message carry <paramref name="block"/> alone (a count of 1), whatever handles it
        /// had: the usual message of one block (<c>new RawMessage { Tag = tag }</c> then
        /// <c>SetBlock(block)</c>), without Add's count test and the call it keeps for a second handle.
        /// </summary>
        /// <safety>Writes the count (1) and the first handle field, the block's handle (as Add: the kernel
        /// checks it when the message is sent); the other handle fields keep what they held, which every
        /// reader and the kernel leave alone (they go by the count).</safety>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void SetBlock(ExBlock block)
        {
            _h0 = block.Handle;
            _handleCount = 1;
        }

        /// <safety>Adds the block's handle (see Add's limit); the kernel checks it when the message is sent.</safety>
        public void Add(ExBlock block) => AddHandle(block.Handle);

        /// <safety>Adds the endpoint's handle, tagged as an endpoint; the kernel checks it when the message is sent.</safety>
        public void Add(RawEndpoint endpoint) => AddHandle(ChannelMessage.KindEndpoint | (uint)endpoint.Handle);

        /// <summary>Whether handle <paramref name="i"/> is an exchange block (else an endpoint).</summary>
        /// <safety>Index checked against the count (IndexOutOfRangeException).</safety>
        public bool IsBlock(int i) => (GetHandle(i) & ChannelMessage.KindMask) == ChannelMessage.KindBlock;

        /// <safety>Index checked against the count, itself read once and checked to be 0 to 4
        /// (IndexOutOfRangeException); a handle of another kind is InvalidCastException. The block
        /// value's header comes from the runtime's own directory lookup (ExchangeGuard) and its address
        /// from that header: every access checks the header's check word, which only the kernel sets,
        /// so a handle this SIP does not own gives a value whose accesses fail; a free or send of it is
        /// checked by the kernel.</safety>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ExBlock GetBlock(int i)
        {
            // Inlined (two per round trip). The usual message carries one handle, read as
            // GetBlock(0): one compare of the count (for a constant 0 the index test folds away);
            // any other index or count goes out of line (GetBlockAt), to the same answers.
            if (i != 0 || _handleCount != 1) return GetBlockAt(i);
            return BlockOf(_h0, 0);
        }

        // GetBlock of any index and count: the index at most the last, the last below 4 (a count
        // of 1 to 4), both unsigned (a forged count outside 0..4 refuses every index,
        // RuntimeHardeningTests).
        /// <unsafe>Reads handle field <c>i</c> as <c>Unsafe.Add(ref _h0, i)</c> after checking
        /// <c>i &lt;= count - 1 &lt; 4</c> unsigned: one of the four sequential handle fields.</unsafe>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private ExBlock GetBlockAt(int i)
        {
            int last = _handleCount - 1;
            if ((uint)i > (uint)last || (uint)last >= ChannelMessage.MaxHandles) NoHandle();
            return BlockOf(Unsafe.Add(ref _h0, i), i);
        }

        // The block value for handle `h` (handle `i` of a message). A header names the handle's
        // block as it is now when its slot and handle's upper half (kind and generation, which the
        // kernel writes with the block; one word) equal the handle: then it is a block-kind handle
        // inside the directory. The header found last is asked first (a block coming back: one
        // compare), then the directory's (its chunk index masked, so any handle reads inside the
        // directory). Anything else (another kind, a slot past the directory or in no chunk,
        // another generation) goes out of line, to the answers it always had.
        /// <unsafe>ExchangeGuard.Last's header (one the directory gave, or the guard's own
        /// never-matching one) and, unless its word equals the handle, the directory entry
        /// ExchangeGuard.ChunkOf reads (its index masked inside the directory) and, if it is a chunk,
        /// the header at the handle's slot masked below ChunkSlots in it (inside the chunk): its Slot
        /// and HandleHigh as one word (ExchangeGuard.HandleWord), and its Data only when that word
        /// equals the handle.</unsafe>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ExBlock BlockOf(ulong h, int i)
        {
            // Only the usual answer inlined (the block found last, coming back): the caller's code
            // falls through to its use; the directory's lookup is a call (BlockInDirectory).
            ExchangeHeader* x = ExchangeGuard.Last;
            if (ExchangeGuard.HandleWord(x) == h) return new ExBlock(x, x->Data);
            return BlockInDirectory(h, i);
        }

        // BlockOf's lookup of a handle other than the last one found, in the directory.
        /// <unsafe>As BlockOf: the directory entry ExchangeGuard.ChunkOf reads and the header in that
        /// chunk at the handle's slot masked below ChunkSlots, its Data read only when its word equals the handle.</unsafe>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static ExBlock BlockInDirectory(ulong h, int i)
        {
            ExchangeHeader* chunk = ExchangeGuard.ChunkOf((uint)h);
            if (chunk == null) return NotCurrent(h, i);
            // The slot's header in its chunk (h mod ChunkSlots headers in), as one scaled mask.
            ExchangeHeader* x = (ExchangeHeader*)((byte*)chunk + (((uint)h * ExchangeHeader.Size) & ((ExchangeHeader.ChunkSlots - 1) * ExchangeHeader.Size)));
            if (ExchangeGuard.HandleWord(x) != h) return NotCurrent(h, i);
            ExchangeGuard.Last = x;
            return new ExBlock(x, x->Data);
        }

        // GetBlock's handle does not name the current block of a header: another kind is refused;
        // a block handle no directory chunk holds is the null block (as ExchangeGuard.Header gives),
        // one of another generation a value whose accesses fail (ExchangeGuard.DataFor: no data address).
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static ExBlock NotCurrent(ulong h, int i)
        {
            if ((h & ChannelMessage.KindMask) != ChannelMessage.KindBlock) NotOfKind(i, "an exchange block");
            return new ExBlock(h);
        }

        // Not NoInlining: the compiler then sees that it never returns, so its callers save nothing around it.
        private static void NoHandle() => throw new IndexOutOfRangeException();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void NotOfKind(int i, string kind) => throw new InvalidCastException("handle " + i.ToString() + " is not " + kind);

        /// <safety>Index checked; a handle of another kind is InvalidCastException. The kernel checks the endpoint handle on every use.</safety>
        public RawEndpoint GetEndpoint(int i)
        {
            ulong h = GetHandle(i);
            if ((h & ChannelMessage.KindMask) != ChannelMessage.KindEndpoint) NotOfKind(i, "an endpoint");
            return new RawEndpoint((int)(uint)h);
        }

        // The usual message carries one handle: the first goes to its own field, no index; a race
        // that adds another meanwhile leaves a count of 1 or 2, each naming a field that was written.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void AddHandle(ulong h)
        {
            if (_handleCount == 0) { _h0 = h; _handleCount = 1; }
            else AddAt(h);
        }

        // A second to fourth handle. The count is read once; whatever value a race left, only the
        // four fields are touched.
        /// <unsafe>Writes handle field <c>n</c> as <c>Unsafe.Add(ref _h0, n)</c> after checking <c>n &lt; 4</c>
        /// unsigned: one of the four sequential handle fields.</unsafe>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void AddAt(ulong h)
        {
            int n = _handleCount;
            if ((uint)n >= ChannelMessage.MaxHandles) TooManyHandles();
            Unsafe.Add(ref _h0, n) = h;
            _handleCount = n + 1;
        }

        // Not NoInlining (as NoHandle): the compiler sees it never returns, so Add keeps the count
        // in a register across the check instead of saving it on the stack.
        private static void TooManyHandles() => throw new InvalidOperationException("a message carries at most four handles");

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ulong GetHandle(int i)
        {
            if ((uint)i >= (uint)HandleCount) throw new IndexOutOfRangeException();
            return HandleAt(i);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal ulong HandleAt(int i) => i == 0 ? _h0 : i == 1 ? _h1 : i == 2 ? _h2 : _h3;
    }

    /// <summary>The name service: services register names, clients bind to them.</summary>
    /// <safety>Names are copied as ASCII into a 128-byte stack buffer after their length is
    /// checked (1 to 128, ArgumentException), so the kernel reads only the runtime's copy. Authority
    /// gap: any SIP may register any free name (or one whose service died), e.g. take over
    /// /service/console while the console service is down; the manifest's [Exports] wiring is the
    /// checked way, this raw one is not restricted yet.</safety>
    public static unsafe class Names
    {
        /// <summary>
        /// Registers <paramref name="name"/> (like "/service/echo"); connections arrive on <paramref name="listener"/>'s peer.
        /// False unless the system manifest grants the name to this SIP's module (`grant MODULE name=PATH`)
        /// and no live SIP holds it; a SIP holds at most 8 names, all released when it ends.
        /// </summary>
        /// <safety>The checked copy of the name; the kernel checks the listener handle is this SIP's and the grant.</safety>
        /// <unsafe>A 128-byte stackalloc buffer filled by Ascii (length checked first) and passed with its length to NameRegister.</unsafe>
        public static bool Register(string name, RawEndpoint listener)
        {
            byte* buf = stackalloc byte[SipLimits.NameMaxBytes];
            int n = Ascii(name, buf);
            return KernelCalls.Abi->NameRegister(buf, n, listener.Handle) == ChannelStatus.Ok;
        }

        /// <summary>Connects to a service; false if no live service has the name.</summary>
        /// <safety>The checked copy of the name; the kernel writes the new handle into a local.</safety>
        /// <unsafe>The 128-byte name buffer as in Register, and the address of a local int for the kernel's NameBind to write.</unsafe>
        public static bool TryBind(string name, out RawEndpoint endpoint)
        {
            byte* buf = stackalloc byte[SipLimits.NameMaxBytes];
            int n = Ascii(name, buf);
            int h;
            int r = KernelCalls.Abi->NameBind(buf, n, &h);
            endpoint = r == ChannelStatus.Ok ? new RawEndpoint(h) : default;
            return r == ChannelStatus.Ok;
        }

        /// <summary>
        /// The endpoint the kernel wired for <paramref name="path"/> from this SIP's manifest
        /// ([Exports]: the listener where connections arrive; [Imports]: a channel to the
        /// service). Each can be taken once; false if there is none (or it was taken).
        /// </summary>
        /// <safety>The checked copy of the path; the kernel hands out only this SIP's own start-up endpoints, each once.</safety>
        /// <unsafe>The 128-byte name buffer as in Register, passed to TakeStartupEndpoint.</unsafe>
        public static bool TryTakeStartup(string path, out RawEndpoint endpoint)
        {
            byte* buf = stackalloc byte[SipLimits.NameMaxBytes];
            int n = Ascii(path, buf);
            int h = KernelCalls.Abi->TakeStartupEndpoint(buf, n);
            endpoint = h > 0 ? new RawEndpoint(h) : default;
            return h > 0;
        }

        /// <summary>The tag of the message a service's listener receives when a client binds; it carries the client's channel (NameServiceContract.Connect, Kernel/Abi/NameServiceWire.cs).</summary>
        /// <safety>A constant.</safety>
        public const int ConnectTag = NameServiceWire.ConnectTag;

        /// <unsafe>Writes <c>s.Length</c> bytes to <c>buf</c> after checking <c>1 &lt;= s.Length &lt;= 128</c>; every caller's buffer is 128 bytes.</unsafe>
        private static int Ascii(string s, byte* buf)
        {
            if (s == null || s.Length == 0 || s.Length > SipLimits.NameMaxBytes) throw new ArgumentException("a name is 1 to 128 ASCII characters");
            for (int i = 0; i < s.Length; i++) buf[i] = s[i] < 128 ? (byte)s[i] : (byte)'?';
            return s.Length;
        }
    }

    /// <summary>How much of the exchange heap this SIP owns.</summary>
    /// <safety>A query with no arguments.</safety>
    public static unsafe class Exchange
    {
        /// <safety>The kernel's count of this SIP's own exchange bytes.</safety>
        /// <unsafe>An ABI call without arguments.</unsafe>
        public static ulong BytesOwned => KernelCalls.Abi->ExchangeBytes();
    }
}
