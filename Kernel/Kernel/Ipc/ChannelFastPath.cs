using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.Ipc
{
    /// <summary>
    /// The request/reply fast path (issue 17; L4-style rendezvous, docs/channels.md "Fast path"):
    /// a client's Call whose server thread already waits to receive on the peer, and a server's
    /// ReplyAndReceive whose client already waits for the reply in Call. The message's handles
    /// are read once and checked (blocks only: the sender's own, no duplicates), the frame is
    /// copied once into the waiting thread's buffer (tag, count, data, the handles used), each
    /// block changes owner once (ExchangeHeap.TransferAt: key rewrite and the two accounts; a block
    /// another thread of the sender may still be inside an access to is first replaced by a copy,
    /// ExchangeHeap.BeforeSend, as on the general path), and
    /// the caller blocks while the CPU goes straight to the partner (Scheduler.HandOff): no
    /// queue slot, no run-queue insertion, no kernel-heap allocation. Any precondition that does
    /// not hold leaves everything untouched and the general path (ChannelCalls) runs, which is
    /// correct for everything. Interrupts are off throughout.
    /// </summary>
    internal static unsafe class ChannelFastPath
    {
        /// <summary>
        /// Call's fast path, from ChannelCalls.Call with interrupts off and <paramref name="e"/> the
        /// caller's own open endpoint and <paramref name="m"/> the kernel's copy of the request. False
        /// when it did nothing (the general path runs); true with <paramref name="result"/> when the
        /// request was delivered and the reply waited for (into <paramref name="reply"/>).
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static bool TryCall(Sip sip, int handle, Endpoint e, ChannelMessage* m, ChannelMessage* reply, ulong timeoutNs, out int result)
        {
            result = ChannelStatus.Ok;
            // A reply already queued for this side would end the wait at once: the general path.
            if (e.QueuedCount != 0) return false;
            Endpoint dest = e.Peer;
            Thread r = WaitingReceiver(dest);
            if (r == null) return false;
            if (!TryDeliver(sip, dest, r, m)) return false;

            // Wait for the reply on `e` as ChannelCalls' receive does (registered on it, which pins
            // it: kept from the last call on `e`, so usually nothing to do; the buffer offered to a
            // direct delivery), while the server runs.
            Thread me = Scheduler.Current;
            ThreadChannels tc = ThreadChannels.Of(me);
            ChannelCalls.WatchOne(e, me, tc, reply);
            ulong deadline = timeoutNs == 0 ? 0 : ChannelCalls.Deadline(timeoutNs);
            bool signaled = Scheduler.HandOff(r, timeoutNs);
            result = AfterCallWait(sip, handle, e, reply, timeoutNs, deadline, signaled, tc);
            return true;
        }

        // The end of Call's wait for the reply on `e` (registered on it, its buffer `m` the caller's
        // reply, open), on the
        // caller's thread after the switch back: Ok when the partner delivered the reply, else as
        // the general receive (a queued reply, a close, the timeout, the SIP's end). Interrupts off.
        private static int AfterCallWait(Sip sip, int handle, Endpoint e, ChannelMessage* m, ulong timeoutNs, ulong deadline, bool signaled, ThreadChannels tc)
        {
            tc.DirectBuffer = null;
            if (tc.DirectFrom != null) { tc.DirectFrom = null; return ChannelStatus.Ok; }
            if (!sip.IsAlive || e.Closed) return ChannelStatus.Closed;
            if (e.Owner != sip) return ChannelStatus.BadHandle;
            if (!signaled && !e.IsReadable) return ChannelStatus.TimedOut;
            // The general receive takes what woke this thread (its handle still names `e`:
            // interrupts stayed off since the checks), with the time left.
            ulong left = Left(deadline, timeoutNs);
            return left == Expired && !e.IsReadable ? ChannelStatus.TimedOut
                 : ChannelCalls.Receive(sip, handle, m, left == Expired ? 1 : left);
        }

        /// <summary>
        /// ReplyAndReceive (ABI 56): sends <paramref name="reply"/> on <paramref name="replyHandle"/> (none
        /// if it is 0), then receives on one of <paramref name="handles"/> into <paramref name="m"/>
        /// as ReceiveAny, in one kernel entry. <paramref name="results"/>[0] gets the index received
        /// on (-1 for none), <paramref name="results"/>[1] the reply's status (the receive happens
        /// whatever it is). Returns the receive's status. The reply is read once, into a kernel copy,
        /// before anything else: it may be the same memory as <paramref name="m"/>, and another
        /// thread may rewrite it meanwhile.
        /// </summary>
        [System.Runtime.CompilerServices.SkipLocalsInit]
        public static int ReplyAndReceive(Sip sip, int replyHandle, ChannelMessage* reply, ChannelMessage* m, int* handles, int count, int* results, ulong timeoutNs)
        {
            if (count <= 0 || count > ChannelCalls.MaxSelect) return ChannelStatus.BadHandle;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            results[0] = -1;
            results[1] = ChannelStatus.Ok;
            Thread client = null;
            if (replyHandle != 0)
            {
                ChannelMessage copy;
                Endpoint.CopyUsed(&copy, reply);
                reply = &copy;
                Endpoint e = ChannelCalls.Own(sip, replyHandle);
                Thread r = e == null ? null : WaitingReceiver(e.Peer);     // Own: open
                // Delivered now; the client runs when this thread waits (or is woken as usual).
                if (r != null && TryDeliver(sip, e.Peer, r, reply)) client = r;
                else results[1] = ChannelCalls.Send(sip, replyHandle, reply, timeoutNs);
            }
            int result = client == null ? ChannelCalls.ReceiveAny(sip, handles, count, m, results, timeoutNs)
                                        : ReceiveHandingOff(sip, client, handles, count, m, results, timeoutNs);
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return result;
        }

        // The receive half of ReplyAndReceive after a reply was delivered to `client`: if no
        // endpoint of the set is ready, this thread waits on them all (as ReceiveAny: registered on
        // them, which a server's loop already is from its last wait) while the CPU goes straight to
        // the client; else the client is woken as usual and the general ReceiveAny takes the ready
        // message (or says BadHandle).
        private static int ReceiveHandingOff(Sip sip, Thread client, int* handles, int count, ChannelMessage* m, int* results, ulong timeoutNs)
        {
            Thread me = Scheduler.Current;
            ThreadChannels tc = ThreadChannels.Of(me);
            // Each handle read and looked up once: the endpoints found are the ones waited on.
            // CanHandOff(client) held when the reply was delivered, and nothing since changed what
            // it looks at (interrupts off; only lookups, registrations and the blocks' owners).
            if (ChannelCalls.LookUp(sip, handles, count, me, tc) != ChannelCalls.NoneReady)
            {
                Scheduler.WakeHandOff(client);
                return ChannelCalls.ReceiveAny(sip, handles, count, m, results, timeoutNs);
            }
            ChannelCalls.WatchAll(count, me, tc, m);
            ulong deadline = timeoutNs == 0 ? 0 : ChannelCalls.Deadline(timeoutNs);
            bool signaled = Scheduler.HandOff(client, timeoutNs);
            return AfterReceiveWait(sip, handles, count, m, results, timeoutNs, deadline, signaled, tc);
        }

        // The end of the receive half's wait over Watched[0..count) (its buffer open), on the
        // server's thread after the switch back: Ok and the index when a message was delivered,
        // else as ReceiveAny (a queued message, the timeout, the SIP's end). Interrupts off.
        private static int AfterReceiveWait(Sip sip, int* handles, int count, ChannelMessage* m, int* results, ulong timeoutNs, ulong deadline, bool signaled, ThreadChannels tc)
        {
            int delivered = ChannelCalls.EndWait(count, tc, out Endpoint from);
            if (from != null)
            {
                // Delivered into m: the message and its handles are this SIP's already.
                results[0] = delivered;
                return ChannelStatus.Ok;
            }
            if (!sip.IsAlive) return ChannelStatus.Closed;
            ulong left = Left(deadline, timeoutNs);
            if (!signaled || left == Expired)
            {
                // Timed out, unless something arrived at the last moment: the general path takes it.
                if (!ChannelCalls.AnyReadable(sip, handles, count)) return ChannelStatus.TimedOut;
                left = 1;
            }
            return ChannelCalls.ReceiveAny(sip, handles, count, m, results, left);
        }

        // ---- The lean entries (Arch/x64/ipc.asm) for the ABI's Call (44) and ReplyAndReceive (56) ----
        // The asm disables interrupts once, pushes the thread's switch frame and calls the lean
        // routine, which does the fast path up to the switch (Scheduler.HandOffLean) and returns
        // the partner's saved stack pointer, or 0 having changed nothing (the asm then returns to
        // the thread's own resume address, and the resume routine runs the general routine, the
        // ABI entry as before). A thread switched away resumes in the asm, which calls the resume
        // routine: it ends the wait from the entry's frame on the thread's own kernel stack (what a
        // C# frame kept across HandOff before). In the usual case there is nothing left for it to
        // do: the thread that delivered the message completed the wait (Deliver, through
        // ThreadChannels.LeanFrame) and moved the thread's return address to the entry's done path,
        // and the asm returns Ok at once.

        // Call's frame (ipc.asm, abi_channel_call): the ABI's arguments and the wait's state.
        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
        private struct CallFrame
        {
            public ulong Deadline;
            public nint Unused;             // the endpoint waited on is ThreadChannels.CallEndpoint (CallResumed)
            public ulong Unused0, Unused1, Unused2;     // the size of a ReplyFrame: one done path for both (ipc.asm)
            public long Handle;             // the ABI's int, in a register's word
            public ChannelMessage* Request;
            public ChannelMessage* Reply;
            public ulong TimeoutNs;
        }

        // ReplyAndReceive's frame (ipc.asm, abi_reply_and_receive).
        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
        private struct ReplyFrame
        {
            public ulong Deadline;
            public ulong Unused;            // unused since the done path (nothing reads or writes it)
            public ulong Alignment;         // unused: the lean routine is called aligned without a `sub` (ipc.asm)
            public long ReplyAndCount;      // the reply endpoint (low 32 bits, 0 for none) and the endpoints' count (high 32)
            public ChannelMessage* Reply;
            public ChannelMessage* Message; // the received message
            public int* Handles;
            public int* Results;
            public ulong TimeoutNs;
            public int ReplyHandle => (int)ReplyAndCount;
            public int Count => (int)(ReplyAndCount >> 32);
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.InternalCall), System.Runtime.RuntimeImport("*", "abi_channel_call_address")]
        private static extern ulong AbiCallAddress();

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.InternalCall), System.Runtime.RuntimeImport("*", "abi_reply_and_receive_address")]
        private static extern ulong AbiReplyAndReceiveAddress();

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.InternalCall), System.Runtime.RuntimeImport("*", "lean_done_offset_value")]
        private static extern ulong LeanDoneOffsetInAsm();

        /// <summary>
        /// Halts at boot unless ipc.asm's LEAN_DONE_OFFSET is LeanDoneOffset: ResumeDone moves a
        /// completed wait's return address by the C# constant (one `add`), to where the asm put
        /// the done path; a mismatch would send every completed wait into the padding.
        /// </summary>
        public static void CheckResumeLayout()
        {
            if (LeanDoneOffsetInAsm() != LeanDoneOffset)
                Singularity.Kernel.Diagnostics.Panic.Halt("channel fast path: ipc.asm's LEAN_DONE_OFFSET is not ChannelFastPath.LeanDoneOffset");
        }

        /// <summary>The ABI's Call handler (ipc.asm: the lean switch, else ChannelCalls.Call).</summary>
        public static delegate*<int, ChannelMessage*, ChannelMessage*, ulong, int> AbiCall =>
            (delegate*<int, ChannelMessage*, ChannelMessage*, ulong, int>)AbiCallAddress();

        /// <summary>The ABI's ReplyAndReceive handler (ipc.asm: the lean switch, else ReplyAndReceive).</summary>
        public static delegate*<long, ChannelMessage*, ChannelMessage*, int*, int*, ulong, int> AbiReplyAndReceive =>
            (delegate*<long, ChannelMessage*, ChannelMessage*, int*, int*, ulong, int>)AbiReplyAndReceiveAddress();

        // Call's fast path as TryCall, up to the switch: the partner's saved stack pointer, or 0
        // with nothing changed. Interrupts off (the asm). The request is the caller's own (no copy
        // in the runtime or here): TryDeliver reads its count and handles once each, and its
        // tag and data once each, and nothing is written into it; the reply goes only into the
        // caller's reply buffer, and only once the request was read (they may be the same memory).
        // A request the lean path will not take (TryDeliver false) leaves what was read unused: the
        // general path reads it afresh, once, into a kernel copy.
        [System.Runtime.RuntimeExport("channel_call_lean"), System.Runtime.CompilerServices.SkipLocalsInit]
        private static ulong CallLean(CallFrame* f)
        {
            // The usual call only: the endpoint of the last Call on this handle, registered on,
            // while the table is unchanged (KeptOne), no timeout, a message TryDeliverUsual hands
            // over inline. Anything else goes, before anything changed, to CallLeanOut as a tail
            // call: with no other call on the way the routine keeps no callee-saved register (the
            // asm's switch frame saved them already) and spills nothing. Only a SIP thread enters
            // here (the ABI): its channel state exists (Peek, as ReplyLean).
            Thread me = Scheduler.Current;
            Sip sip = Sip.Of(me);
            ThreadChannels tc = ThreadChannels.Peek(me);
            // The kept endpoint tested as branches (IsKeptCall: not null when it stands), not
            // found as a value and tested for null again.
            if (!ChannelCalls.IsKeptCall(sip, (int)f->Handle, tc) || f->TimeoutNs != 0) return CallLeanOut(f);
            Endpoint e = tc.CallEndpoint;
            // A reply already queued for this side would end the wait at once: the general path.
            if (e.QueuedCount != 0) return 0;
            // The endpoint waited on is the kept one (CallEndpoint, which only this thread's
            // WatchOneFound writes): CallResumed reads it there; the frame keeps no copy.
            // Registered on `e` already: only the buffer opened (LeanHop).
            return LeanHop((ulong*)f, true, sip, e.Peer);     // the frame as its first word: no null check of `f`
        }

        // The usual hop of both lean routines from the partner's endpoint `dest` on: its waiting
        // receiver, the message delivered (TryDeliverUsual: a Call's request, a reply), this
        // thread's own wait (its registration kept: its buffer opened, the frame published) and
        // the hand-off. `call` (a constant where inlined) tells the frames apart: a CallFrame is
        // published even, a ReplyFrame odd; each pointer is read from
        // the frame where it is used, not kept live. 0 with nothing changed when the receiver is
        // not waiting; any other case goes, before anything changed, to the routine's out-of-line
        // path (LeanOut), as a tail call. The receiver is read again from `dest` where it is
        // needed, not kept live: the delivery needs every register it can have. Each failing
        // test leaves the routine at once (no outcome kept in a register and tested again).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static ulong LeanHop(ulong* frame, bool call, Sip sip, Endpoint dest)
        {
            if (WaitingReceiverPlainly(dest) == null) return 0;
            CallFrame* cf = (CallFrame*)frame;
            ReplyFrame* rf = (ReplyFrame*)frame;
            if (!TryDeliverUsual(sip, dest, call ? cf->Request : rf->Reply)) return LeanOut(frame, call);
            ThreadChannels tc = OpenBuffer(call ? cf->Reply : rf->Message, out Thread me);
            tc.LeanFrame = (nint)frame + (call ? 0 : 1);   // a CallFrame even, a ReplyFrame odd
            return HandOffLean(frame, 0, me, dest.Receiver);
        }

        // The lean routine's out-of-line path (LeanHop's `call` says which), as a tail call.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static ulong LeanOut(ulong* frame, bool call) =>
            call ? CallLeanOut((CallFrame*)frame) : ReplyLeanOut((ReplyFrame*)frame);

        // The usual lean hop's own wait, after its delivery: the running thread's buffer opened
        // for a direct delivery (its registration kept). The running thread and its channel state
        // are read again (one load each) rather than kept live across the delivery.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static ThreadChannels OpenBuffer(ChannelMessage* buffer, out Thread me)
        {
            me = Scheduler.Current;
            ThreadChannels tc = ThreadChannels.Peek(me);
            tc.DirectBuffer = buffer;
            tc.DirectFrom = null;
            return tc;
        }

        // CallLean's every other case (a first call or another handle, a timeout, a rare message),
        // out of line: the whole lean call afresh (each word of the request read once here).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining), System.Runtime.CompilerServices.SkipLocalsInit]
        private static ulong CallLeanOut(CallFrame* f)
        {
            Thread me = Scheduler.Current;
            Sip sip = Sip.Of(me);
            ThreadChannels tc = ThreadChannels.Peek(me);
            Endpoint kept = ChannelCalls.KeptOne(sip, (int)f->Handle, tc);
            if (kept == null) return CallLeanUnkept(f);
            return CallLeanOn(f, me, sip, tc, kept, true);
        }

        // CallLean with the table's endpoint, registered on here (WatchOneFound, which keeps it).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining), System.Runtime.CompilerServices.SkipLocalsInit]
        private static ulong CallLeanUnkept(CallFrame* f)
        {
            Thread me = Scheduler.Current;
            Sip sip = Sip.Of(me);
            Endpoint e = ChannelCalls.Own(sip, (int)f->Handle);
            if (e == null) return 0;
            return CallLeanOn(f, me, sip, ThreadChannels.Of(me), e, false);
        }

        // CallLean on the caller's open endpoint `e` (registered on it when `kept`). Once the request
        // is delivered (TryDeliver: checked and handed over, or nothing changed) nothing fails: the
        // caller's own wait is set up and the CPU handed over.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining), System.Runtime.CompilerServices.SkipLocalsInit]
        private static ulong CallLeanOn(CallFrame* f, Thread me, Sip sip, ThreadChannels tc, Endpoint e, bool kept)
        {
            // A reply already queued for this side would end the wait at once: the general path.
            if (e.QueuedCount != 0) return 0;
            Endpoint dest = e.Peer;
            Thread r = WaitingReceiverPlainly(dest);
            if (r == null) return 0;
            if (!TryDeliver(sip, dest, r, f->Request)) return 0;
            if (kept)
            {
                // Registered on `e` already: only the buffer opened.
                tc.DirectBuffer = f->Reply;
                tc.DirectFrom = null;
            }
            else ChannelCalls.WatchOneFound(e, (int)f->Handle, sip, me, tc, f->Reply);     // keeps e
            tc.LeanFrame = (nint)f;        // a CallFrame: even
            return HandOffLean(&f->Deadline, f->TimeoutNs, me, r);
        }

        // The hand-off of a lean entry whose message was delivered: `frame` is its frame (CallFrame
        // or ReplyFrame, the deadline first) just above its switch frame (ipc.asm), `timeoutNs` its
        // timeout.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static ulong HandOffLean(ulong* frame, ulong timeoutNs, Thread me, Thread r)
        {
            if (timeoutNs != 0) *frame = ChannelCalls.Deadline(timeoutNs);    // the deadline, read only with a timeout (Left)
            return Scheduler.HandOffLean(me, r, timeoutNs, (ulong)frame - SwitchFrameBytes);
        }

        // From an entry's switch frame up to its frame (ipc.asm): six registers and .switch's
        // return address. The asm passes only the frame; the switch frame's place follows.
        private const ulong SwitchFrameBytes = 7 * 8;

        private static int CallGeneral(CallFrame* f) =>
            ChannelCalls.Call(Sip.Of(Scheduler.Current), (int)f->Handle, f->Request, f->Reply, f->TimeoutNs);

        // Call's thread at its resume address (ipc.asm): CallLean returned 0 (no lean wait: the
        // general path), or it runs again after CallLean switched it away and its wait was not
        // completed by a delivery (CompleteLean moves a completed wait's return to the done path):
        // the wait ends as TryCall's.
        [System.Runtime.RuntimeExport("channel_call_resumed")]
        private static int CallResumed(CallFrame* f)
        {
            Thread me = Scheduler.Current;
            ThreadChannels tc = ThreadChannels.Peek(me);
            if (tc.LeanFrame == 0) return CallGeneral(f);      // set only once the lean path cannot fail
            tc.LeanFrame = 0;
            bool signaled = Scheduler.AfterHandOff(me);
            // The endpoint waited on: the kept one (CallLean's and CallLeanOn's waits are on it).
            return AfterCallWait(Sip.Of(me), (int)f->Handle, tc.CallEndpoint,
                                 f->Reply, f->TimeoutNs, f->Deadline, signaled, tc);
        }

        // ReplyAndReceive's fast path (a reply to a client waiting for it, and none of the
        // endpoints ready: ReplyAndReceive's delivery then ReceiveHandingOff's wait), up to the
        // switch: the client's saved stack pointer, or 0 with nothing changed but the thread's
        // registration (LookUp; the general path looks up again). Interrupts off (the asm).
        [System.Runtime.RuntimeExport("channel_reply_lean"), System.Runtime.CompilerServices.SkipLocalsInit]
        private static ulong ReplyLean(ReplyFrame* f)
        {
            // The usual reply only (as CallLean): the reply and the count as the last lean reply
            // (its endpoint's peer kept: ChannelCalls.KeptReply, which stands for the checks of
            // both), over the same quiet set, no timeout, a message TryDeliverUsual hands over
            // inline. Anything else goes, before anything changed, to ReplyLeanOut as a tail call.
            Thread me = Scheduler.Current;
            Sip sip = Sip.Of(me);
            ThreadChannels tc = ThreadChannels.Peek(me);
            if (!ChannelCalls.KeptReply(sip, f->ReplyAndCount, f->Handles, tc, out Endpoint dest) || f->TimeoutNs != 0)
                return ReplyLeanOut(f);
            // The peer is open: vouched for by the kept reply (the quiet set's). The quiet set is
            // the registration (Watching == count): WatchAll's buffer opened only (LeanHop).
            return LeanHop((ulong*)f, false, sip, dest);
        }

        // ReplyLean's every other case (no reply, a reply or a set other than the kept one, a set
        // not quiet, a timeout, a rare message), out of line: the whole lean reply afresh, and the
        // reply kept for the next (KeepReply). The frame is on this thread's kernel stack, written
        // by ipc.asm from the ABI's registers: no SIP can change it since.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining), System.Runtime.CompilerServices.SkipLocalsInit]
        private static ulong ReplyLeanOut(ReplyFrame* f)
        {
            int count = f->Count;
            if (f->ReplyHandle == 0 || count <= 0 || count > ChannelCalls.MaxSelect) return 0;
            Thread me = Scheduler.Current;
            Sip sip = Sip.Of(me);
            // The receive half's lookup first: a ready endpoint or a bad handle leaves it all to
            // the general path. Each handle read once; the endpoints found are the ones waited on.
            // Neither this nor the delivery below changes what WaitingReceiver looks at (the
            // lookup's registration changes only this thread's, which runs).
            // The reply's endpoint: usually one of the set (a server replies on the endpoint it
            // received on), found in the same pass (LookUpReply), else the table's. Only a SIP
            // thread enters here (the ABI), and a SIP thread's channel state is made with it
            // (Thread.Create's attach hook) and freed after it ends: Peek, no test for none.
            ThreadChannels tc = ThreadChannels.Peek(me);
            Endpoint e = ChannelCalls.LookUpReply(sip, f->Handles, count, f->ReplyHandle, me, tc);
            Thread client = e == null ? null : WaitingReceiverPlainly(e.Peer);     // open: Own, or vouched for
            if (client == null) return 0;
            // The reply read as Call's request (CallLean); the received message goes to its own
            // buffer. Once the reply is delivered nothing fails: this thread's wait is set up.
            if (!TryDeliver(sip, e.Peer, client, f->Reply)) return 0;
            ChannelCalls.WatchAll(count, me, tc, f->Message);
            ChannelCalls.KeepReply(sip, f->ReplyAndCount, e, tc);   // after WatchAll: count is Watching
            tc.LeanFrame = (nint)f + 1;    // a ReplyFrame: odd
            // The results are written when the wait ends: by the delivery that completes it
            // (CompleteLean: the index and the reply's Ok in one store), else by ReplyResumed.
            return HandOffLean(&f->Deadline, f->TimeoutNs, me, client);
        }

        private static int ReplyGeneral(ReplyFrame* f) =>
            ReplyAndReceive(Sip.Of(Scheduler.Current), f->ReplyHandle, f->Reply, f->Message, f->Handles, f->Count, f->Results, f->TimeoutNs);

        // ReplyAndReceive's thread at its resume address (as CallResumed): ReplyLean returned 0 (the
        // general path), or its wait was not completed by a delivery: it ends as ReceiveHandingOff's.
        [System.Runtime.RuntimeExport("channel_reply_resumed")]
        private static int ReplyResumed(ReplyFrame* f)
        {
            Thread me = Scheduler.Current;
            ThreadChannels tc = ThreadChannels.Peek(me);
            if (tc.LeanFrame == 0) return ReplyGeneral(f);     // set only once the lean path cannot fail
            tc.LeanFrame = 0;
            bool signaled = Scheduler.AfterHandOff(me);
            // The reply went (ReplyLean); nothing received yet. The SIP's memory only while it
            // lives (AfterReceiveWait then ends the wait, and says Closed if it does not).
            Sip sip = Sip.Of(me);
            int* results = f->Results;
            if (sip.IsAlive)
            {
                results[0] = -1;
                results[1] = ChannelStatus.Ok;
            }
            return AfterReceiveWait(sip, f->Handles, f->Count, f->Message, results, f->TimeoutNs, f->Deadline,
                                    signaled, tc);
        }

        // A thread whose lean wait was completed runs again at its entry's done path once resume
        // checks are armed (ipc.asm, lean_ok_checked): the resume check, as after every switch; Ok.
        [System.Runtime.RuntimeExport("channel_lean_checked")]
        private static int LeanChecked()
        {
            Scheduler.AfterHandOff(Scheduler.Current);
            return ChannelStatus.Ok;
        }

        // From a lean entry's resume address to its done address (ipc.asm, LEAN_DONE_OFFSET).
        private const ulong LeanDoneOffset = 32;

        // A completed lean wait resumes at its entry's done path: the return address in the
        // thread's switch frame, just below its entry's frame, moved there (one add). Whoever
        // resumes the thread (a lean hand-off, HandOff, Schedule) returns to it.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        // Written out as a load and a store of the same address (not `+=`, whose address the C#
        // compiler keeps in a temporary): the JIT makes one `add qword [r - 8], 32`.
        private static void ResumeDone(nint frame) =>
            *(ulong*)(frame - sizeof(ulong)) = *(ulong*)(frame - sizeof(ulong)) + LeanDoneOffset;

        // A message's data words (ChannelMessage.DataWords), copied as one value.
        private struct DataWords
        {
            public ulong W0, W1, W2, W3, W4, W5, W6, W7;
        }

        // The handles of a checked message (no stackalloc: no zeroing call, no cookie). A block's
        // slot is its handle's low half (ExchangeHeap.HandleOf), so its entry is found again with
        // a shift: keeping the entries beside the handles cost more (a larger frame to zero and
        // the stores and loads: round trip 916 to 922).
        private struct Checked
        {
            public ulong H0, H1, H2, H3;
        }

        // A thread blocked in a receive on `dest` that a message can be delivered to and the CPU
        // handed to, else null. What does not change per message is kept ready on the endpoint
        // (Endpoint.Receiver: the first thread registered on it, `dest` open, not kernel-served,
        // held by that thread's SIP; the thread has a share); what is left is the thread's own
        // state: blocked in a direct wait not yet ended (DirectWait: cleared by every wake-up,
        // timeout, hand-off to it and kill, so it is neither the running nor the idle thread),
        // its buffer open (so it waits on its registered set, `dest` among it: nothing is queued
        // on `dest`, since it blocked seeing none readable and an enqueue wakes it), its SIP alive,
        // and the scheduler's say (Scheduler.CanHandOffWaiting). Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static Thread WaitingReceiver(Endpoint dest)
        {
            Thread r = dest.Receiver;
            if (r == null || !r.DirectWait) return null;
            // Registered, so its channel state exists; its owner is the SIP holding `dest`.
            if (ThreadChannels.Peek(r).DirectBuffer == null) return null;
            ThreadOwner o = r.Owner;
            if (!System.Runtime.CompilerServices.Unsafe.As<Sip>(o).IsAlive) return null;
            return Scheduler.CanHandOffWaiting(r, o) ? r : null;
        }

        // Delivers `m` to the waiting `receiver` (CheckBlocks then Deliver): false, with nothing
        // changed, when the message is not one the fast path delivers (the general path runs).
        // The usual message inline (TryDeliverUsual), the rest out of line (DeliverMany, which
        // reads the count afresh: TryDeliverUsual acted on nothing it read).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static bool TryDeliver(Sip sip, Endpoint dest, Thread receiver, ChannelMessage* m)
        {
            if (TryDeliverUsual(sip, dest, m)) return true;
            return DeliverMany(sip, dest, receiver, m, m->HandleCount);
        }

        // TryDeliver's usual message (no block or one, no other thread of the sender's SIP
        // preempted), checked and handed over inline: true delivered; false, nothing changed, for
        // any other (DeliverMany reads it afresh and delivers it or says no: a block not the
        // sender's too). Its count and handle read once each, the entry its check found handed
        // straight to the move (no handle array, no duplicate loop, no second lookup), and
        // everything the move could find rare tested before anything changes, so that the move
        // has no branch and no call. The block moves first, so that its entry and the sender
        // die before the copy. No block and one block are two paths, each with its own copy of
        // the frame (the count a constant in each, not a value kept live across the checks).
        // No call at all: the lean routines make each of their rare cases a tail call. The
        // receiver is dest.Receiver (WaitingReceiver's), read where it is needed.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static bool TryDeliverUsual(Sip sip, Endpoint dest, ChannelMessage* m)
        {
            int count = m->HandleCount;
            ThreadChannels rc;
            ChannelMessage* rm;
            if (count == 0)
            {
                rc = ThreadChannels.Peek(dest.Receiver);
                rm = rc.DirectBuffer;
                CopyFrame(rm, m, 0);
                Delivered(rc, dest);
                return true;
            }
            if (count != 1) return false;
            // Everything the hand-over could find rare tested before anything changes, each as
            // its own branch (no flag or entry to materialize and test again): another thread of
            // the sender's SIP preempted (the quarantine), a block not the sender's (IsSipOwned),
            // a DMA block, the accounts' move not the usual one (SipAccount.HoldsPlainly and
            // SharesParent, apart: fewer values live at once).
            if (sip.PreemptedThreads != 0) return false;
            ulong h = m->Handles[0];
            if (!ExchangeHeap.IsSipOwned(h, sip)) return false;
            ExchangeHeap.Block* b = ExchangeHeap.EntryOf(h);
            if (ExchangeHeap.IsDma(b)) return false;
            if (!sip.Account.HoldsPlainly(ExchangeHeap.HeldOf(b))) return false;
            if (!sip.Account.SharesParent(dest.Owner.Account)) return false;
            ExchangeHeap.MovePlainly(b, sip, dest.Owner);
            rc = ThreadChannels.Peek(dest.Receiver);
            rm = rc.DirectBuffer;
            rm->Handles[0] = h;
            CopyFrame(rm, m, 1);
            Delivered(rc, dest);
            return true;
        }

        // The tag, the count and the data words into the receiver's buffer (each read once).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static void CopyFrame(ChannelMessage* rm, ChannelMessage* m, int count)
        {
            rm->Tag = m->Tag;
            rm->HandleCount = count;
            // The data words as one 64-byte value: four 16-byte loads and stores, not eight of each.
            *(DataWords*)rm->Data = *(DataWords*)m->Data;
        }

        // TryDeliver's rare messages (2 to 4 handles, the quarantine, a DMA block, accounts of
        // different parents: Deliver's TransferAt): `count` as TryDeliver read it.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining), System.Runtime.CompilerServices.SkipLocalsInit]
        private static bool DeliverMany(Sip sip, Endpoint dest, Thread receiver, ChannelMessage* m, int count)
        {
            Checked c;
            ulong* hs = &c.H0;
            int n = CheckBlocks(sip, m, count, hs);
            if (n < 0) return false;
            Deliver(sip, dest, receiver, m, hs, n);
            return true;
        }

        // WaitingReceiver for the lean entries: no call (a call keeps their values across it in
        // saved registers or on the stack); a receiver whose SIP collects, hangs or has ended
        // (ThreadOwner.Held, one byte for the three, in CanHandOffPlainly) is left to the general
        // path, which asks MayRun.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static Thread WaitingReceiverPlainly(Endpoint dest)
        {
            Thread r = dest.Receiver;
            if (r == null || !r.DirectWait || ThreadChannels.Peek(r).DirectBuffer == null) return null;
            return Scheduler.CanHandOffPlainly(r, r.Owner) ? r : null;
        }

        // The message's handles (`count` of them, as read by the caller), read once each into `hs` (each block's slot is its handle's low half): -1 unless the count is
        // 0 to 4 and every handle is an exchange block the sender owns, none twice (endpoints and
        // anything wrong go the general way, which moves endpoints or says BadMessage). When another
        // thread of the sender's SIP carries the preemption mark, the quarantine runs as on the
        // general path (ExchangeHeap.BeforeSend): a block that thread may still be inside an access
        // to is replaced, in the message, by a copy, and `hs` takes the message's
        // handles again; -1 if the copies do not fit (the general way then answers OutOfMemory).
        // The quarantine works on a kernel-side message holding the handles read (Quarantine): the
        // message may be the SIP's own, which the kernel neither writes nor reads twice.
        // Interrupts off from here until the blocks have moved.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static int CheckBlocks(Sip sip, ChannelMessage* m, int count, ulong* hs)
        {
            if ((uint)count > ChannelMessage.MaxHandles) return -1;
            for (int i = 0; i < count; i++)
            {
                ulong h = m->Handles[i];
                for (int j = 0; j < i; j++) if (hs[j] == h) return -1;
                // One compare of the handle's upper half with the slot's key checks the kind and
                // the generation (an endpoint's or a forged handle matches no key), one the owner.
                if (!ExchangeHeap.IsSipOwned(h, sip)) return -1;
                hs[i] = h;
            }
            if (count != 0 && sip.PreemptedThreads != 0 && !Quarantine(sip, hs, count)) return -1;
            return count;
        }

        // CheckBlocks' quarantine (rare: another thread of the SIP was preempted): BeforeSend on a
        // kernel message carrying the checked handles, which it may replace by copies' handles.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static bool Quarantine(Sip sip, ulong* hs, int count)
        {
            ChannelMessage k = default;
            k.HandleCount = count;
            Endpoint.Slots found;
            int* slots = &found.S0;
            for (int i = 0; i < count; i++) { k.Handles[i] = hs[i]; slots[i] = (int)(uint)hs[i]; }
            // A copy's handle names the copy's slot, as every handle does: hs carries both.
            if (ExchangeHeap.BeforeSend(sip, &k, slots, count) != ChannelStatus.Ok) return false;
            for (int i = 0; i < count; i++) hs[i] = k.Handles[i];
            return true;
        }

        // Copies the checked frame into the waiting receiver's buffer (the tag, the count, the
        // data words and the handles used), moves each block to the receiver's SIP in one step,
        // and marks the delivery for the receiver's wait (it returns Ok with the message in its
        // buffer). The receiver is not woken here: the caller hands it the CPU.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static void Deliver(Sip sip, Endpoint dest, Thread receiver, ChannelMessage* m, ulong* hs, int count)
        {
            ThreadChannels rc = ThreadChannels.Peek(receiver);
            Sip to = dest.Owner;
            ChannelMessage* rm = rc.DirectBuffer;
            CopyFrame(rm, m, count);
            for (int i = 0; i < count; i++)
            {
                ulong h = hs[i];
                ExchangeHeap.TransferAt((int)(uint)h, sip, to.Id, to);     // the slot: the handle's low half
                rm->Handles[i] = h;
            }
            Delivered(rc, dest);
        }

        // The end of a delivery into the receiver's buffer: closed, and the delivery marked for
        // the receiver's wait (its lean frame completed, or DirectFrom set).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static void Delivered(ThreadChannels rc, Endpoint dest)
        {
            rc.DirectBuffer = null;
            nint lean = rc.LeanFrame;
            if (lean == 0)
            {
                // A reference store without the write barrier (a call that records nothing: the
                // kernel heap is never collected).
                System.Runtime.CompilerServices.Unsafe.As<Endpoint, nint>(ref rc.DirectFrom) = Bits(dest);
            }
            else CompleteLean(rc, lean, dest);
        }

        // The receiver waits in a lean entry (ipc.asm; its frame published in LeanFrame while it
        // waits there): its wait is completed here, so that it returns Ok as soon as it runs,
        // without a C# call: a ReplyAndReceive gets the index of `dest` among the endpoints it
        // waits on and its reply's Ok in its results buffer (not written by it before the wait:
        // ReplyResumed writes them if no delivery does); either resumes at its done path
        // (ResumeDone: ipc.asm returns Ok, no test). Nothing can end the wait
        // otherwise from here (the message is the receiver's); the frame is on the receiver's
        // kernel stack, below its switch frame, untouched until it runs. Interrupts off.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static void CompleteLean(ThreadChannels rc, nint lean, Endpoint dest)
        {
            rc.LeanFrame = 0;
            if ((lean & 1) == 0)
            {
                ResumeDone(lean);
                return;
            }
            // The receiver is dest.Receiver (WaitingReceiver), waiting on exactly its registration:
            // the election kept dest's index in it (Endpoint.ReceiverIndex), no search of the set.
            // results[0] the index, results[1] the reply's status (Ok = 0: ReplyLean delivered it)
            // in one store.
            // Both addresses from `lean` itself (its odd bit a constant in each operand), not
            // from a frame pointer made first (a `dec` of its own).
            *(ulong*)((ReplyFrame*)(lean - 1))->Results = (uint)dest.ReceiverIndex;
            ResumeDone(lean - 1);
        }

        // An endpoint reference as the word it is (as Scheduler.Bits): Unsafe.As on the reference
        // itself takes its local's address, which keeps the local on the stack (a store and a
        // load back per use, and a frame for them) in the lean routines.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static nint Bits(Endpoint e) =>
            (nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.CompilerServices.Unsafe.AddByteOffset(
                ref System.Runtime.CompilerServices.Unsafe.As<System.Runtime.CompilerServices.RawData>(e).Data, -8));

        // Left(): the deadline has passed.
        private const ulong Expired = ulong.MaxValue;

        // The time left until the deadline as a timeout (0 = forever), or Expired.
        private static ulong Left(ulong deadline, ulong timeoutNs)
        {
            if (timeoutNs == 0 || deadline == 0) return 0;
            ulong now = Clock.MonotonicNs;
            return now >= deadline ? Expired : deadline - now;
        }
    }
}
