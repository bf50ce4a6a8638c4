using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.Ipc
{
    /// <summary>
    /// The channel operations behind the ABI. Endpoint handles are entries of the calling SIP's
    /// handle table; a message's handles must all be the sender's to give, and are checked
    /// before anything moves, so a bad message changes nothing. All state is guarded by
    /// disabling interrupts; waits use the calling thread's wake-up event.
    /// </summary>
    internal static unsafe class ChannelCalls
    {
        public static int Create(Sip sip, int* impHandle, int* expHandle)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            // Refused before anything is made: a channel beyond the SIP's kernel grant, or a full handle table.
            if (!Endpoint.Fits(sip) || !sip.HasFreeHandles(2))
            {
                Restore(flags);
                return ChannelStatus.OutOfMemory;
            }
            Endpoint.CreatePair(sip, out Endpoint imp, out Endpoint exp);
            int a = sip.AddHandle(imp);
            int b = a < 0 ? -1 : sip.AddHandle(exp);
            int result = ChannelStatus.Ok;
            if (b < 0)
            {
                // The handle table is full: the new channel goes away again, whole.
                if (a >= 0) sip.TakeHandle(a);
                imp.Close();
                exp.Close();
                result = ChannelStatus.OutOfMemory;
            }
            else
            {
                *impHandle = a;
                *expHandle = b;
            }
            Restore(flags);
            return result;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal static Endpoint Own(Sip sip, int handle)
        {
            Endpoint e = sip.GetHandle(handle) as Endpoint;
            // A closed end has no owner (Endpoint.Owner): held by `sip` is open too.
            return e != null && e.Owner == sip ? e : null;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static int Send(Sip sip, int handle, ChannelMessage* m, ulong timeoutNs) => SendOn(handle, m, timeoutNs, sip);

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.InternalCall), System.Runtime.RuntimeImport("*", "abi_channel_send_address")]
        private static extern ulong AbiSendAddress();

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.InternalCall), System.Runtime.RuntimeImport("*", "abi_channel_receive_address")]
        private static extern ulong AbiReceiveAddress();

        /// <summary>The ABI's Send handler (Arch/x64/channel_move.asm: interrupts off, then SendEntry).</summary>
        public static delegate*<int, ChannelMessage*, ulong, int> AbiSend => (delegate*<int, ChannelMessage*, ulong, int>)AbiSendAddress();

        /// <summary>The ABI's Receive handler (Arch/x64/channel_move.asm: interrupts off, then ReceiveEntry).</summary>
        public static delegate*<int, ChannelMessage*, ulong, int> AbiReceive => (delegate*<int, ChannelMessage*, ulong, int>)AbiReceiveAddress();

        // ABI entry 27 behind channel_move.asm, which disabled interrupts and restores the caller's
        // flags: no flags kept here. The asm passes the running thread's SIP (its entry block's,
        // KernelEntry.ThreadEntry.Sip: set at the thread's creation, never changed).
        [System.Runtime.RuntimeExport("channel_send_entry"), System.Runtime.CompilerServices.SkipLocalsInit]
        private static int SendEntry(int handle, ChannelMessage* m, ulong timeoutNs, Sip sip) =>
            SendOff(handle, m, timeoutNs, sip);

        /// <summary>Send from kernel code (interrupts as they are; the general paths of ChannelFastPath).</summary>
        public static int SendOn(int handle, ChannelMessage* m, ulong timeoutNs, Sip sip)
        {
            ulong flags = Cpu.SaveFlagsDisableInterrupts();
            int result = SendOff(handle, m, timeoutNs, sip);
            Restore(flags);
            return result;
        }

        // Send, interrupts off. Every call is a tail call (SendEntry keeps no callee-saved register).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static int SendOff(int handle, ChannelMessage* m, ulong timeoutNs, Sip sip)
        {
            // Own's test, as branches straight to the failure (GetHandle's null for a failure would
            // be tested again here; the table is never null, Sip.Handles). A closed end has no
            // owner (Endpoint.Owner): the owner test is the open test too.
            object[] t = sip.Handles;
            if ((uint)handle >= (uint)t.Length || !(t[handle] is Endpoint e) || e.Owner != sip) return BadHandle();
            // The usual case: room in the peer's queue, an owner, no receiver kept: one compare of
            // its count with its kept limit (Endpoint.PlainLimit, 0 unless both hold), the count
            // then in a scratch register for SendBlocks. The peer is never null (Endpoint.Peer).
            Endpoint peer = e.Peer;
            if (peer.QueuedCount >= peer.PlainLimit) return SendAside(e, m, timeoutNs, sip);
            return peer.SendBlocks(sip, m, timeoutNs, true);
        }

        // The out-of-line paths the entries tail-call (SendAside, Endpoint.SendRest, ReceiveGeneral,
        // Endpoint.TakeHandles/TakeWaking) take the message in rsi, the timeout in rdx and the SIP
        // in rcx, where the entry received them: the entry then keeps them there, with no moves at
        // its start (an order of their own made the compiler move all three on every call).
        // SendOff past the limit: a receiver kept (not necessarily waiting), a peer with no owner,
        // or a full queue. The tests the limit stands for, one by one: a peer with no owner (closed,
        // served by the kernel, or travelling in a message: one test for the three,
        // Endpoint.Owner), a receiver waiting for a direct delivery, no room: the general send;
        // else the usual send. Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static int SendAside(Endpoint e, ChannelMessage* m, ulong timeoutNs, Sip sip)
        {
            Endpoint peer = e.Peer;
            if (peer.Owner == null || DirectReceiver(peer) != null || !peer.HasRoom)
                return SendGeneral(sip, e, m, timeoutNs);
            return peer.SendBlocks(sip, m, timeoutNs, false);
        }

        // Send's general path: waits for room, endpoints carried, a direct delivery, a kernel server
        // (also Endpoint.SendBlocks' for a message carrying an endpoint). Interrupts off.
        // Send's general path: waits for room, endpoints carried, a direct delivery, a kernel server. Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        internal static int SendGeneral(Sip sip, Endpoint e, ChannelMessage* m, ulong timeoutNs)
        {
            // The runtime's Send hands the caller's message itself (no stack copy of its own), and
            // SendLocked reads a handle more than once (its check, then its move): it works on a
            // copy read once, here, before any wait.
            ChannelMessage copy;
            Endpoint.CopyUsed(&copy, m);
            ThreadChannels tcs = ThreadChannels.Of(Scheduler.Current);
            int result = SendLocked(sip, e, &copy, timeoutNs, tcs);
            UnpinAfterWait(tcs);
            return result;
        }

        // A send pins the endpoint it works on only when it is about to wait for room (or to let a
        // kernel server serve on it): a waiting thread touches it again on waking, and a killed
        // thread's pin is released by its SIP's end (ReleasePins). A send into a queue with room
        // never waits and never pins. A receive that waits pins through the thread's registration
        // (WatchOne, WatchAll), which it keeps after the call. Interrupts off.
        private static void PinForWait(Endpoint e, ThreadChannels tc)
        {
            if (tc.Pinned == e) return;
            e.Pin();
            tc.Pinned = e;
        }

        // Ends a call: what PinForWait pinned is unpinned (the channel may go now). Interrupts off.
        private static void UnpinAfterWait(ThreadChannels tc)
        {
            Endpoint p = tc.Pinned;
            if (p == null) return;
            tc.Pinned = null;
            p.Unpin();
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static int SendLocked(Sip sip, Endpoint e, ChannelMessage* m, ulong timeoutNs, ThreadChannels tc)
        {
            // Back-pressure first: wait for room in the peer's queue. The message is read only after
            // the last wait (its handle count too), with no wait between the check and the move:
            // while this thread waited, another thread of the SIP may have sent, freed or closed
            // what it names.
            if (!e.PeerGone && !e.Peer.HasRoom)
            {
                int waited = WaitForRoom(sip, e, timeoutNs, tc);
                if (waited != ChannelStatus.Ok) return waited;
            }
            if (e.PeerGone) return ChannelStatus.Closed;
            int count = m->HandleCount;
            if (count < 0 || count > ChannelMessage.MaxHandles) return ChannelStatus.BadMessage;

            // Check every handle: nothing moves unless the whole message is valid.
            Endpoint[] carried = tc.Carried;
            // Each block's slot, found once here and used by the move below (no wait between; a
            // struct local, not a stackalloc: no zeroing loop, no stack cookie).
            Endpoint.Slots found;
            int* slots = &found.S0;
            bool blocks = false;
            for (int i = 0; i < count; i++)
            {
                ulong h = m->Handles[i];
                for (int j = 0; j < i; j++) if (m->Handles[j] == h) return ChannelStatus.BadMessage;
                ulong kind = h & ChannelMessage.KindMask;
                // carried[i] is read only for endpoint handles (here, TryEnqueue, Deliver): a block's stays as it is.
                if (kind == ChannelMessage.KindBlock)
                {
                    int slot = ExchangeHeap.OwnedSlot(h, sip.Id);
                    if (slot < 0) return ChannelStatus.BadMessage;
                    slots[i] = slot;
                    blocks = true;
                }
                else if (kind == ChannelMessage.KindEndpoint)
                {
                    Endpoint c = Own(sip, (int)(uint)h);
                    // An endpoint cannot travel over its own channel.
                    if (c == null || c == e || c == e.Peer) return ChannelStatus.BadMessage;
                    carried[i] = c;
                }
                else return ChannelStatus.BadMessage;
            }
            // Another thread of the SIP stopped by the timer may be inside an access to a block:
            // that block's memory goes to nobody, the message carries a copy (ExchangeQuarantine.cs).
            // Interrupts are off from OwnedSlot to the move, so no thread of the SIP runs between.
            if (blocks && sip.PreemptedThreads != 0)
            {
                int q = ExchangeHeap.BeforeSend(sip, m, slots, count);
                if (q != ChannelStatus.Ok) return q;
            }

            // A channel the kernel serves: the request is served here, on this thread; its
            // handles are the server's to take.
            if (e.Peer.Server != null)
            {
                PinForWait(e, tc);
                return e.Peer.Server.Serve(sip, e.Peer, m);
            }

            // A receiver already blocked on the peer with nothing queued ahead gets the message
            // straight into its buffer: no queue slot, each handle handed over once.
            Thread receiver = DirectReceiver(e.Peer);
            if (receiver != null)
            {
                Deliver(sip, e.Peer, receiver, m, carried, slots, count);
                return ChannelStatus.Ok;
            }

            // Commit: the handles leave the sender.
            for (int i = 0; i < count; i++)
            {
                ulong h = m->Handles[i];
                if ((h & ChannelMessage.KindMask) == ChannelMessage.KindBlock)
                    ExchangeHeap.TransferAt(slots[i], sip, ExchangeHeap.InFlight, null);
                else
                {
                    sip.TakeHandle((int)(uint)h);
                    carried[i].Owner = null;
                }
            }
            e.Peer.TryEnqueue(m, carried);
            return ChannelStatus.Ok;
        }

        // Waits until the peer's queue has room (or the peer is gone): Ok, or why the send ends.
        // Pins the endpoint for the rest of the call. Interrupts off.
        private static int WaitForRoom(Sip sip, Endpoint e, ulong timeoutNs, ThreadChannels tc)
        {
            PinForWait(e, tc);
            ulong deadline = Deadline(timeoutNs);
            Thread me = Scheduler.Current;
            while (!e.PeerGone && !e.Peer.HasRoom)
            {
                e.WatchWritable(me);
                bool signaled = Wait(deadline);
                e.UnwatchWritable(me);
                if (!sip.IsAlive) return ChannelStatus.Closed;
                if (e.Closed) return ChannelStatus.Closed;           // another thread closed it
                if (e.Owner != sip) return ChannelStatus.BadHandle;  // another thread sent it away
                if (!signaled && !e.PeerGone && !e.Peer.HasRoom) return ChannelStatus.TimedOut;
            }
            return ChannelStatus.Ok;
        }

        // The thread a message for `dest` can be delivered to directly: its kept receiver
        // (Endpoint.Receiver: the first thread registered on it, `dest` open and held by that
        // thread's SIP) if it is blocked in a receive (a direct wait not yet ended, its buffer
        // open: then nothing is queued on `dest`, see ChannelFastPath.WaitingReceiver) and its
        // SIP is alive. Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static Thread DirectReceiver(Endpoint dest)
        {
            Thread r = dest.Receiver;
            if (r == null || !r.DirectWait) return null;
            if (ThreadChannels.Peek(r).DirectBuffer == null || !dest.Owner.IsAlive) return null;
            return r;
        }

        // Hands a checked message to a receiver blocked on `dest` (DirectReceiver): copies it into
        // the receiver's buffer, moves each block from the sender to the receiver's SIP in one step
        // (one key rewrite) and each endpoint from the sender's handle table to the receiver's,
        // then wakes the receiver to run at the sender's next switch (Scheduler.WakeHandOff).
        // Interrupts off.
        private static void Deliver(Sip sip, Endpoint dest, Thread receiver, ChannelMessage* m, Endpoint[] carried, int* slots, int count)
        {
            ThreadChannels rc = ThreadChannels.Peek(receiver);
            Sip to = dest.Owner;
            ChannelMessage* rm = rc.DirectBuffer;
            // Word moves of the used part (the handle count was checked: 0 to 4).
            Endpoint.CopyUsed(rm, m);
            for (int i = 0; i < count; i++)
            {
                ulong h = m->Handles[i];
                if ((h & ChannelMessage.KindMask) == ChannelMessage.KindBlock)
                    ExchangeHeap.TransferAt(slots[i], sip, to.Id, to);
                else
                {
                    sip.TakeHandle((int)(uint)h);
                    Endpoint c = carried[i];
                    c.Owner = to;
                    int nh = to.AddHandle(c);
                    if (nh < 0) { c.Owner = null; c.Close(); rm->Handles[i] = 0; }
                    else rm->Handles[i] = ChannelMessage.KindEndpoint | (uint)nh;
                }
            }
            rc.DirectBuffer = null;
            rc.DirectFrom = dest;
            // The receiver runs at this thread's next switch, without a trip through its ready queue.
            Scheduler.WakeHandOff(receiver);
        }

        /// <summary>
        /// Send, then receive on the same endpoint, in one kernel entry: the request/reply fast
        /// path. The reply goes to <paramref name="reply"/> (only for Ok), which may be the same
        /// memory as <paramref name="request"/>: the request is read once, into a kernel copy, before
        /// anything else (and before any wait). A receiver already blocked on the peer
        /// runs next directly (Scheduler.PreferNext), without a trip through the run queue; the
        /// caller's thread waits for the reply meanwhile. Returns the send's status if it failed,
        /// else the receive's.
        /// </summary>
        [System.Runtime.CompilerServices.SkipLocalsInit]
        public static int Call(Sip sip, int handle, ChannelMessage* request, ChannelMessage* reply, ulong timeoutNs)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int result = ChannelStatus.BadHandle;
            Endpoint e = Own(sip, handle);
            ChannelMessage copy;
            ChannelMessage* m = &copy;
            if (e != null) Endpoint.CopyUsed(m, request);
            // The rendezvous with a server already waiting (ChannelFastPath); else the general path.
            if (e != null && ChannelFastPath.TryCall(sip, handle, e, m, reply, timeoutNs, out result)) e = null;
            if (e != null)
            {
                ThreadChannels tcs = ThreadChannels.Of(Scheduler.Current);
                result = SendLocked(sip, e, m, timeoutNs, tcs);
                if (result == ChannelStatus.Ok)
                {
                    Endpoint peer = e.Peer;
                    Thread receiver = peer != null ? peer.FirstReader : null;
                    if (receiver != null && receiver != Scheduler.Current) Scheduler.PreferNext(receiver);
                    result = ReceiveLocked(sip, e, reply, timeoutNs, tcs);
                    Scheduler.PreferNext(null);
                }
                UnpinAfterWait(tcs);
            }
            Restore(flags);
            return result;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static int Receive(Sip sip, int handle, ChannelMessage* m, ulong timeoutNs) => ReceiveOn(handle, m, timeoutNs, sip);

        // ABI entry 28 behind channel_move.asm, as SendEntry (the SIP passed by the asm).
        [System.Runtime.RuntimeExport("channel_receive_entry")]
        private static int ReceiveEntry(int handle, ChannelMessage* m, ulong timeoutNs, Sip sip) =>
            ReceiveOff(handle, m, timeoutNs, sip);

        /// <summary>Receive from kernel code (interrupts as they are), as SendOn.</summary>
        public static int ReceiveOn(int handle, ChannelMessage* m, ulong timeoutNs, Sip sip)
        {
            ulong flags = Cpu.SaveFlagsDisableInterrupts();
            int result = ReceiveOff(handle, m, timeoutNs, sip);
            Restore(flags);
            return result;
        }

        // Receive, interrupts off. The usual case first: a message is queued (no pin, no wait,
        // nothing to unpin). Every call is a tail call (Endpoint.Take: ReceiveEntry keeps no
        // callee-saved register).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static int ReceiveOff(int handle, ChannelMessage* m, ulong timeoutNs, Sip sip)
        {
            // Own's test, as SendOff (the owner test is the open test too).
            object[] t = sip.Handles;
            if ((uint)handle >= (uint)t.Length || !(t[handle] is Endpoint e) || e.Owner != sip) return BadHandle();
            // A message queued and no sender waiting for room: one compare (Endpoint.TakeFloor).
            if (e.QueuedCount <= e.TakeFloor) return ReceiveAside(e, m, timeoutNs, sip);
            return e.Take(sip, m, true);
        }

        // The entries' failure as a tail call, not a return of its own: their usual path's return
        // then needs no jump to a return shared with another value.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static int BadHandle() => ChannelStatus.BadHandle;

        // ReceiveOff past the floor: nothing queued (the general path), or senders to wake (Take's own test). Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static int ReceiveAside(Endpoint e, ChannelMessage* m, ulong timeoutNs, Sip sip)
        {
            if (e.QueuedCount == 0) return ReceiveGeneral(e, m, timeoutNs, sip);
            return e.Take(sip, m, false);
        }

        // Receive's general path: nothing queued yet. Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static int ReceiveGeneral(Endpoint e, ChannelMessage* m, ulong timeoutNs, Sip sip)
        {
            ThreadChannels tcs = ThreadChannels.Of(Scheduler.Current);
            int result = ReceiveLocked(sip, e, m, timeoutNs, tcs);
            UnpinAfterWait(tcs);
            return result;
        }

        private static int ReceiveLocked(Sip sip, Endpoint e, ChannelMessage* m, ulong timeoutNs, ThreadChannels tc)
        {
            // The usual case: a message is queued. No pin, no deadline, no watch.
            if (e.TryTake(sip, m)) return ChannelStatus.Ok;
            ulong deadline = 0;
            bool timed = false;
            Thread me = Scheduler.Current;
            while (true)
            {
                if (e.TryTake(sip, m)) return ChannelStatus.Ok;
                if (e.PeerGone) return ChannelStatus.Closed;
                if (!timed) { deadline = Deadline(timeoutNs); timed = true; }
                // Registered on `e` (kept after the call: the next wait on it registers nothing);
                // a sender may now deliver straight into m (Deliver) instead of queueing.
                WatchOne(e, me, tc, m);
                bool signaled = Wait(deadline);
                tc.DirectBuffer = null;
                if (tc.DirectFrom != null)
                {
                    // Delivered: the message and its handles are this SIP's already.
                    tc.DirectFrom = null;
                    return ChannelStatus.Ok;
                }
                if (!sip.IsAlive) return ChannelStatus.Closed;
                if (e.Closed) return ChannelStatus.Closed;           // another thread closed it
                if (e.Owner != sip) return ChannelStatus.BadHandle;  // another thread sent it away
                if (!signaled && !e.IsReadable) return ChannelStatus.TimedOut;
            }
        }

        /// <summary>
        /// Select and receive in one kernel entry (the server side of request/reply): waits until
        /// one of the endpoints has a message or has seen its peer close, writes its index to
        /// <paramref name="index"/> and, for a message, the message to <paramref name="m"/> (Ok),
        /// else Closed. A sender finding this thread waiting delivers straight into
        /// <paramref name="m"/>. TimedOut, or BadHandle for a handle that is not this SIP's open endpoint.
        /// </summary>
        public static int ReceiveAny(Sip sip, int* handles, int count, ChannelMessage* m, int* index, ulong timeoutNs)
        {
            if (count <= 0 || count > MaxSelect) return ChannelStatus.BadHandle;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int result = ChannelStatus.TimedOut;
            ulong deadline = 0;
            bool timed = false;
            Thread me = Scheduler.Current;
            ThreadChannels tc = ThreadChannels.Of(me);
            *index = -1;
            while (true)
            {
                // Each handle is looked up once per round: the endpoints found are the ones waited on.
                int ready = LookUp(sip, handles, count, me, tc);
                if (ready == BadSet) { result = ChannelStatus.BadHandle; break; }
                if (ready >= 0)
                {
                    *index = ready;
                    result = tc.Watched[ready].TryTake(sip, m) ? ChannelStatus.Ok : ChannelStatus.Closed;
                    break;
                }
                if (!timed) { deadline = Deadline(timeoutNs); timed = true; }
                WatchAll(count, me, tc, m);
                bool signaled = Wait(deadline);
                int delivered = EndWait(count, tc, out Endpoint from);
                if (from != null)
                {
                    // Delivered into m: the message and its handles are this SIP's already.
                    *index = delivered;
                    result = ChannelStatus.Ok;
                    break;
                }
                if (!sip.IsAlive) { result = ChannelStatus.Closed; break; }
                if (!signaled)
                {
                    // Timed out, unless something arrived at the last moment: the loop takes it.
                    if (!AnyReadable(sip, handles, count)) { result = ChannelStatus.TimedOut; break; }
                }
            }
            Restore(flags);
            return result;
        }

        // ---- a thread's readability registration (ThreadChannels.Watched, docs/channels.md) ----
        // A thread is in an endpoint's readable watchers only for an entry of its Watched[0..Watching)
        // (each entry also holds one pin), and its DirectBuffer is open only while it waits on exactly
        // those endpoints: so a sender that finds it first among an endpoint's readers, blocked with
        // its buffer open, delivers for a wait on that endpoint. The registration outlives the call
        // that made it; only the thread itself changes it (or its end: Exit, ReleasePins).

        // LookUp's answers besides an index: no endpoint readable; a handle not the SIP's open endpoint.
        internal const int NoneReady = -1, BadSet = -2;

        /// <summary>
        /// Drops the registration of <paramref name="t"/> (the running thread, one that ended, or
        /// one of an ending SIP): each endpoint unwatched and unpinned, which may free a closed one.
        /// Interrupts off.
        /// </summary>
        public static void StopWatching(Thread t, ThreadChannels tc)
        {
            if (tc.Watching != 0) Unregister(t, tc, 0);
        }

        /// <summary>StopWatching for the running thread, before a wait that is not on channels (a
        /// watched endpoint's wake-up would end it early). Interrupts off.</summary>
        public static void StopWatching(Thread t)
        {
            ThreadChannels tc = ThreadChannels.Peek(t);
            if (tc != null && tc.Watching != 0) Unregister(t, tc, 0);
        }

        // Drops the registration, keeping the references below `keep` in Watched (LookUp found the
        // same endpoints again: open ones, which an unpin does not free) and clearing the others.
        private static void Unregister(Thread t, ThreadChannels tc, int keep)
        {
            Endpoint[] w = tc.Watched;
            int n = tc.Watching;
            tc.Watching = 0;
            tc.QuietVersion = 0;
            tc.CallVersion = 0;
            for (int i = 0; i < n; i++)
            {
                Endpoint e = w[i];
                if (i >= keep) w[i] = null;
                e.UnwatchReadable(t);
                e.Unpin();
            }
        }

        // A reference store into Watched without the compiler's write barrier (a call that records
        // nothing: the kernel heap is never collected). Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static void Store(ref Endpoint slot, Endpoint e) =>
            System.Runtime.CompilerServices.Unsafe.As<Endpoint, nint>(ref slot) = System.Runtime.CompilerServices.Unsafe.As<Endpoint, nint>(ref e);

        /// <summary>
        /// Looks each handle up once, into Watched[0..count): the endpoints a receive over them takes
        /// from or waits on. While they are the ones the thread is registered on, the registration
        /// stands; at the first that differs it is dropped (WatchAll makes it again if the thread
        /// waits). Returns the index of the first readable endpoint, NoneReady, or BadSet for a
        /// handle that is not the SIP's open endpoint (the registration dropped). Interrupts off.
        /// The registered set while it is quiet (ThreadChannels.QuietVersion: found from its kept
        /// handles under the SIP's table as it is, none readable since) is recognised by each handle
        /// read once and compared with the kept one: no table, no endpoint; from the first that
        /// differs (or when not quiet), the walk (LookUpFrom).
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal static int LookUp(Sip sip, int* handles, int count, Thread me, ThreadChannels tc)
        {
            // The cold walk is called after the loop, not in it: the loop's values stay in registers.
            nint i = 0;
            int h = 0;
            if (tc.QuietVersion == sip.HandleVersion && tc.Watching == count)
            {
                int* kh = tc.HandlesAt;
                for (; i < count; i++)
                {
                    h = handles[i];
                    if (h != kh[i]) break;
                }
                if (i == count) return NoneReady;
            }
            else if (count > 0) h = handles[0];
            return LookUpFrom(sip, handles, count, me, tc, (int)i, h);
        }

        /// <summary>
        /// ReplyAndReceive's lean lookup (ChannelFastPath.ReplyLean): LookUp over the set, and the
        /// endpoint <paramref name="replyHandle"/> names (open, the SIP's). Null when an endpoint of
        /// the set is readable, a handle of it is not the SIP's open endpoint (the registration
        /// dropped, as LookUp), or the reply's handle names no open endpoint of the SIP: the
        /// general path then does it all. On the quiet set the reply's endpoint is found in the
        /// same pass as the compare (a server replies on an endpoint it received on: its handle is
        /// one of the set's, and the kept handle names the kept endpoint), no search after it.
        /// Interrupts off; <paramref name="count"/> 1 to MaxSelect.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal static Endpoint LookUpReply(Sip sip, int* handles, int count, int replyHandle, Thread me, ThreadChannels tc)
        {
            // The quiet set's case (QuietReply) reads the handles only to compare them: the walk,
            // if it comes to that, reads them afresh from the first.
            Endpoint e = QuietReply(sip, handles, count, replyHandle, tc);
            return e ?? LookUpReplyFrom(sip, handles, count, replyHandle, me, tc, 0, handles[0]);
        }

        /// <summary>
        /// LookUpReply's usual case alone (ChannelFastPath.ReplyLean, which calls nothing on its
        /// way): the quiet set (the same handles, the table unchanged) with the reply's handle one
        /// of it: that endpoint. Else null, with nothing acted on: LookUpReply then looks, reading
        /// the handles afresh. Interrupts off; <paramref name="count"/> 1 to MaxSelect.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal static Endpoint QuietReply(Sip sip, int* handles, int count, int replyHandle, ThreadChannels tc)
        {
            if (tc.QuietVersion != sip.HandleVersion || tc.Watching != count) return null;
            int* kh = tc.HandlesAt;
            nint i = 0, r = -1;
            do      // count >= 1
            {
                int h = handles[i];
                if (h != kh[i]) return null;
                if (h == replyHandle) r = i;
            }
            while (++i < count);
            return r < 0 ? null : System.Runtime.CompilerServices.Unsafe.As<nint, Endpoint>(ref tc.WatchedAt[r]);
        }

        /// <summary>
        /// ReplyLean's usual case (ChannelFastPath): the reply-and-count word <paramref name="key"/> the
        /// kept one (ThreadChannels.ReplyKey) over the set quiet under the SIP's table as it is, and
        /// the handles the kept ones: the peer of the reply's endpoint. One compare of the word
        /// stands for the checks of the count and the reply handle and for the search of the
        /// reply's endpoint; the handles are still each read once and compared (the SIP may have
        /// rewritten its array), two at a time. Else false, nothing acted on (and
        /// <paramref name="peer"/> not to be used). Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal static bool KeptReply(Sip sip, long key, int* handles, ThreadChannels tc, out Endpoint peer)
        {
            peer = tc.ReplyPeer;
            if (key != tc.ReplyKey || tc.QuietVersion != sip.HandleVersion || peer == null) return false;
            int* kh = tc.HandlesAt;
            // The key's count is Watching here (KeepReply keeps only a count that is Watching, and
            // any change of the registration ends the quiet, which clears the peer): read from memory
            // rather than shifted out of the key; a server's usual sets (a listener and one client, or one endpoint) compared
            // at once, as one 8-byte or one 4-byte compare; other counts in KeptHandles.
            int w = tc.Watching;
            if (w == 2) return *(long*)handles == *(long*)kh;
            if (w == 1) return handles[0] == kh[0];
            return KeptHandles(handles, kh, w);
        }

        // KeptReply's handles beyond its usual counts: 3 to MaxSelect, an odd count's first handle
        // alone, then pairs as one 8-byte compare each (only handles below the count are read).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static bool KeptHandles(int* handles, int* kh, nint n)
        {
            nint i = n & 1;
            if (i != 0 && handles[0] != kh[0]) return false;
            for (; i < n; i += 2)
                if (*(long*)(handles + i) != *(long*)(kh + i)) return false;
            return true;
        }

        /// <summary>
        /// Keeps the reply just delivered for KeptReply, if the set is quiet (its mark cleared
        /// the last kept one): <paramref name="key"/> (its handle, not 0, and the count, 1 to
        /// MaxSelect) with the peer of <paramref name="e"/>, the endpoint the handle names now
        /// (found under the table as it is, interrupts off since), after WatchAll (so the count
        /// is Watching, which only a registration's change, ending the quiet, alters). Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal static void KeepReply(Sip sip, long key, Endpoint e, ThreadChannels tc)
        {
            if (tc.QuietVersion != sip.HandleVersion) return;
            tc.ReplyKey = key;
            Store(ref tc.ReplyPeer, e.Peer);
        }

        // LookUpReply's walk (not quiet, a handle that differs, or the reply outside the set), from
        // index `i`, its handle read as `h`.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static Endpoint LookUpReplyFrom(Sip sip, int* handles, int count, int replyHandle, Thread me, ThreadChannels tc, int i, int h)
        {
            if (LookUpFrom(sip, handles, count, me, tc, i, h) != NoneReady) return null;
            return KeptAmong(replyHandle, count, tc) ?? Own(sip, replyHandle);
        }

        // LookUp's walk from index `i`, its handle read already as `h` (handles below `i` are the
        // quiet set's, none readable). Each handle read once.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static int LookUpFrom(Sip sip, int* handles, int count, Thread me, ThreadChannels tc, int i, int h)
        {
            bool same = tc.Watching == count && tc.WatchedVersion == sip.HandleVersion;
            Endpoint[] w = tc.Watched;
            int[] wh = tc.WatchedHandles;
            for (; i < count; h = ++i < count ? handles[i] : 0)
            {
                Endpoint e;
                if (same && h == wh[i]) e = w[i];
                else
                {
                    same = false;
                    e = Own(sip, h);
                    if (e == null)
                    {
                        if (tc.Watching != 0) Unregister(me, tc, 0);
                        return BadSet;
                    }
                    if (i >= tc.Watching || w[i] != e)
                    {
                        if (tc.Watching != 0) Unregister(me, tc, i);
                        Store(ref w[i], e);
                    }
                    wh[i] = h;
                }
                if (e.IsReadable) return i;
            }
            // Watched[0..count) all found from WatchedHandles under this table (an early return
            // leaves the version as it was: what it vouched for still holds, or it is stale).
            tc.WatchedVersion = sip.HandleVersion;
            // The registered set walked whole, none readable (interrupts off since): until something
            // stirs it, the next lookup of it need not test readiness. A set not registered yet is
            // not watched, so nothing would stir it: it is not marked quiet (Register clears it anyway).
            // The only place the quiet is marked: a reply kept before it is dropped (KeptReply
            // trusts ReplyPeer only under the quiet it was kept under).
            if (same)
            {
                tc.QuietVersion = sip.HandleVersion;
                tc.ReplyPeer = null;
            }
            return NoneReady;
        }

        /// <summary>
        /// Before a receive over Watched[0..count) waits (LookUp found none readable): the thread
        /// registered on exactly those (nothing to do when it is already) and its buffer open for a
        /// direct delivery (none for a select: <paramref name="m"/> null). Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal static void WatchAll(int count, Thread me, ThreadChannels tc, ChannelMessage* m)
        {
            if (tc.Watching != count) Register(count, me, tc);
            tc.DirectBuffer = m;
            tc.DirectFrom = null;
        }

        // The registration made anew over Watched[0..count). Interrupts off.
        private static void Register(int count, Thread me, ThreadChannels tc)
        {
            if (tc.Watching != 0) Unregister(me, tc, count);
            Endpoint[] w = tc.Watched;
            // Watching first: an election while watching finds its index in the new set
            // (Endpoint.ReceiverIndex).
            tc.Watching = count;
            for (int i = 0; i < count; i++)
            {
                Endpoint e = w[i];
                e.Pin();
                e.WatchReadable(me);
            }
            tc.QuietVersion = 0;
            tc.CallVersion = 0;
        }

        /// <summary>
        /// As WatchAll for a receive on one endpoint (Receive, Call's reply). Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal static void WatchOne(Endpoint e, Thread me, ThreadChannels tc, ChannelMessage* m)
        {
            if (tc.Watching != 1 || tc.Watched[0] != e) RegisterOne(e, me, tc);
            tc.DirectBuffer = m;
            tc.DirectFrom = null;
        }

        private static void RegisterOne(Endpoint e, Thread me, ThreadChannels tc)
        {
            if (tc.Watching != 0) Unregister(me, tc, 0);
            // The set first: an election while watching finds e's index in it (Endpoint.ReceiverIndex).
            Store(ref tc.Watched[0], e);
            tc.Watching = 1;
            e.Pin();
            e.WatchReadable(me);
            tc.QuietVersion = 0;
            tc.CallVersion = 0;
            tc.WatchedVersion = 0;          // found from an endpoint, not a handle: LookUp looks up
        }

        /// <summary>
        /// WatchOne for Call's reply on <paramref name="e"/>, found from <paramref name="handle"/> in
        /// <paramref name="sip"/>'s table now (Own, interrupts off since): the registration made (if
        /// it is not that already), and kept with the handle and the table's version
        /// (ThreadChannels.CallEndpoint), so the next Call on that handle, the table unchanged,
        /// finds its endpoint without the table (KeptOne). Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal static void WatchOneFound(Endpoint e, int handle, Sip sip, Thread me, ThreadChannels tc, ChannelMessage* m)
        {
            if (tc.Watching != 1 || tc.Watched[0] != e) RegisterOne(e, me, tc);
            Store(ref tc.CallEndpoint, e);
            tc.CallHandle = handle;
            tc.CallVersion = sip.HandleVersion;
            tc.DirectBuffer = m;
            tc.DirectFrom = null;
        }

        /// <summary>
        /// The endpoint <paramref name="handle"/> names while the thread's kept Call endpoint stands
        /// (ThreadChannels.CallEndpoint: that handle, the SIP's table unchanged since): open and the
        /// SIP's, as Own would find it (an endpoint leaves a SIP, closed or carried away, only with its
        /// handle, which changes the version), and registered on already. Else null (Own then
        /// looks). Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal static Endpoint KeptOne(Sip sip, int handle, ThreadChannels tc) =>
            tc.CallVersion == sip.HandleVersion && tc.CallHandle == handle ? tc.CallEndpoint : null;

        /// <summary>
        /// KeptOne's test alone (ChannelFastPath.CallLean): whether the kept Call endpoint stands
        /// for <paramref name="handle"/>. When it does, CallEndpoint is not null: CallVersion is
        /// nonzero only once WatchOneFound stored an endpoint with it, and nothing stores null there.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal static bool IsKeptCall(Sip sip, int handle, ThreadChannels tc) =>
            tc.CallVersion == sip.HandleVersion && tc.CallHandle == handle;

        /// <summary>
        /// The endpoint <paramref name="handle"/> names if it is one of the set a lookup just
        /// vouched for (LookUp returned NoneReady, interrupts off since: Watched[i] is what
        /// WatchedHandles[i] names, for i below <paramref name="count"/>, at most MaxSelect); else
        /// null. Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal static Endpoint KeptAmong(int handle, int count, ThreadChannels tc)
        {
            int* wh = tc.HandlesAt;
            for (int i = 0; i < count; i++)
                if (wh[i] == handle) return System.Runtime.CompilerServices.Unsafe.As<nint, Endpoint>(ref tc.WatchedAt[i]);
            return null;
        }

        /// <summary>
        /// After that wait: the buffer closed (the registration stays); <paramref name="from"/> is
        /// the endpoint a message was delivered from (null for none) and the result its index
        /// among the <paramref name="count"/> waited on. Interrupts off.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal static int EndWait(int count, ThreadChannels tc, out Endpoint from)
        {
            tc.DirectBuffer = null;
            from = tc.DirectFrom;
            if (from == null) return -1;
            tc.DirectFrom = null;
            Endpoint[] w = tc.Watched;
            for (int i = 0; i < count; i++) if (w[i] == from) return i;
            return -1;
        }

        // Whether the thread is registered on `e`. Interrupts off.
        private static bool Watches(ThreadChannels tc, Endpoint e)
        {
            for (int i = 0; i < tc.Watching; i++) if (tc.Watched[i] == e) return true;
            return false;
        }

        // Whether any of the SIP's endpoints named by `handles` has a message or has seen its peer
        // close (a wait that timed out looks once more). Interrupts off.
        internal static bool AnyReadable(Sip sip, int* handles, int count)
        {
            for (int i = 0; i < count; i++)
            {
                Endpoint e = Own(sip, handles[i]);
                if (e != null && e.IsReadable) return true;
            }
            return false;
        }

        /// <summary>
        /// Waits until one of the endpoints has a message or has seen its peer close; returns its
        /// index in the list, TimedOut, or BadHandle.
        /// </summary>
        public static int Select(Sip sip, int* handles, int count, ulong timeoutNs)
        {
            if (count <= 0 || count > MaxSelect) return ChannelStatus.BadHandle;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int result = ChannelStatus.TimedOut;
            ulong deadline = Deadline(timeoutNs);
            Thread me = Scheduler.Current;
            // The endpoints waited on stay registered (and pinned) across the wait and after it
            // (ThreadChannels.Watched): another thread may close one meanwhile, and its handle then
            // no longer leads to it.
            ThreadChannels tc = ThreadChannels.Of(me);
            while (true)
            {
                int ready = LookUp(sip, handles, count, me, tc);
                if (ready == BadSet) { result = ChannelStatus.BadHandle; break; }
                if (ready >= 0) { result = ready; break; }
                // No buffer: a sender finding this thread queues and wakes it.
                WatchAll(count, me, tc, null);
                bool signaled = Wait(deadline);
                tc.DirectFrom = null;
                if (!sip.IsAlive) { result = ChannelStatus.Closed; break; }
                if (!signaled)
                {
                    for (int i = 0; i < count && result < 0; i++)
                    {
                        Endpoint e = Own(sip, handles[i]);
                        if (e != null && e.IsReadable) result = i;
                    }
                    break;
                }
            }
            Restore(flags);
            return result;
        }

        /// <summary>
        /// Releases what a thread killed in the middle of a channel call had pinned (it never
        /// returns to do so): called by its SIP's Terminate, after the SIP's handles are closed,
        /// so the channels can be freed. Interrupts off.
        /// </summary>
        /// <summary>ReleasePins for every thread of an ending SIP (SipEndStep.HandlesClosed).</summary>
        public static void ReleasePinsOf(Sip sip)
        {
            for (Thread t = sip.Threads; t != null; t = t.NextInSip) ReleasePins(t);
        }

        public static void ReleasePins(Thread t)
        {
            Endpoint e = ThreadChannels.Of(t).Pinned;
            if (e != null)
            {
                ThreadChannels.Of(t).Pinned = null;
                e.UnwatchReadable(t);
                e.UnwatchWritable(t);
                e.Unpin();
            }
            ThreadChannels.Of(t).DirectBuffer = null;   // no sender may deliver to a killed thread
            StopWatching(t, ThreadChannels.Of(t));
        }

        /// <summary>A thread ends (Scheduler.Exit, on it, interrupts off): its registration goes.</summary>
        public static void OnThreadEnd(Thread t) => StopWatching(t);

        /// <summary>Endpoints one Select may wait on.</summary>
        public const int MaxSelect = SipLimits.SelectMaxEndpoints;

        public static int Close(Sip sip, int handle)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            Endpoint e = sip.GetHandle(handle) as Endpoint;
            int result = ChannelStatus.BadHandle;
            if (e != null && e.Owner == sip)
            {
                // Registered on it (a receive's kept registration): dropped, so the channel is freed
                // as soon as it is unreachable. Another thread's registration goes at its next wait,
                // its end or its SIP's.
                Thread me = Scheduler.Current;
                ThreadChannels tc = ThreadChannels.Peek(me);
                if (tc != null && tc.Watching != 0 && Watches(tc, e)) StopWatching(me, tc);
                sip.TakeHandle(handle);
                e.Close();
                result = ChannelStatus.Ok;
            }
            Restore(flags);
            return result;
        }

        // When a wait of timeoutNs (0 = forever) from now ends; 0 for none. Saturates: a huge
        // timeout is forever, never a deadline that wrapped into the past.
        internal static ulong Deadline(ulong timeoutNs)
        {
            if (timeoutNs == 0) return 0;
            ulong now = Clock.MonotonicNs;
            return timeoutNs > ulong.MaxValue - now ? 0 : now + timeoutNs;
        }

        // Blocks until a watched endpoint wakes this thread or the deadline (0 = none) passes;
        // false on timeout. Interrupts off.
        private static bool Wait(ulong deadline)
        {
            if (deadline == 0) return Scheduler.BlockDirect(0);
            ulong now = Clock.MonotonicNs;
            if (now >= deadline) return false;
            return Scheduler.BlockDirect(deadline - now);
        }

        private static void Restore(ulong flags)
        {
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }
    }
}
