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

        private static Endpoint Own(Sip sip, int handle)
        {
            Endpoint e = sip.GetHandle(handle) as Endpoint;
            return e != null && e.Owner == sip && !e.Closed ? e : null;
        }

        public static int Send(Sip sip, int handle, ChannelMessage* m, ulong timeoutNs)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int result = ChannelStatus.BadHandle;
            Endpoint e = Own(sip, handle);
            if (e != null)
            {
                Thread me = Scheduler.Current;
                e.Pin();
                ThreadChannels.Of(me).Pinned = e;
                result = SendLocked(sip, e, m, timeoutNs);
                ThreadChannels.Of(me).Pinned = null;
                e.Unpin();
            }
            Restore(flags);
            return result;
        }

        private static int SendLocked(Sip sip, Endpoint e, ChannelMessage* m, ulong timeoutNs)
        {
            int count = m->HandleCount;
            if (count < 0 || count > ChannelMessage.MaxHandles) return ChannelStatus.BadMessage;

            // Back-pressure first: wait for room in the peer's queue. The message's handles are
            // checked only after the last wait, with no wait between the check and the move: while
            // this thread waited, another thread of the SIP may have sent, freed or closed them.
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
            if (e.PeerGone) return ChannelStatus.Closed;

            // Check every handle: nothing moves unless the whole message is valid.
            Endpoint[] carried = ThreadChannels.Of(me).Carried;
            for (int i = 0; i < count; i++) carried[i] = null;
            for (int i = 0; i < count; i++)
            {
                ulong h = m->Handles[i];
                for (int j = 0; j < i; j++) if (m->Handles[j] == h) return ChannelStatus.BadMessage;
                ulong kind = h & ChannelMessage.KindMask;
                if (kind == ChannelMessage.KindBlock)
                {
                    if (!ExchangeHeap.IsOwnedBy(h, sip.Id)) return ChannelStatus.BadMessage;
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

            // A channel the kernel serves: the request is served here, on this thread; its
            // handles are the server's to take.
            if (e.Peer.Server != null) return e.Peer.Server.Serve(sip, e.Peer, m);

            // Commit: the handles leave the sender.
            for (int i = 0; i < count; i++)
            {
                ulong h = m->Handles[i];
                if ((h & ChannelMessage.KindMask) == ChannelMessage.KindBlock)
                    ExchangeHeap.Transfer(h, sip.Id, sip, ExchangeHeap.InFlight, null);
                else
                {
                    sip.TakeHandle((int)(uint)h);
                    carried[i].Owner = null;
                }
            }
            e.Peer.TryEnqueue(m, carried);
            return ChannelStatus.Ok;
        }

        /// <summary>
        /// Send, then receive on the same endpoint, in one kernel entry: the request/reply fast
        /// path. The reply overwrites <paramref name="m"/>. A receiver already blocked on the peer
        /// runs next directly (Scheduler.PreferNext), without a trip through the run queue; the
        /// caller's thread waits for the reply meanwhile. Returns the send's status if it failed,
        /// else the receive's.
        /// </summary>
        public static int Call(Sip sip, int handle, ChannelMessage* m, ulong timeoutNs)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int result = ChannelStatus.BadHandle;
            Endpoint e = Own(sip, handle);
            if (e != null)
            {
                Thread me = Scheduler.Current;
                e.Pin();
                ThreadChannels.Of(me).Pinned = e;
                result = SendLocked(sip, e, m, timeoutNs);
                if (result == ChannelStatus.Ok)
                {
                    Endpoint peer = e.Peer;
                    Thread receiver = peer != null ? peer.FirstReader : null;
                    if (receiver != null && receiver != me) Scheduler.PreferNext(receiver);
                    result = ReceiveLocked(sip, e, m, timeoutNs);
                    Scheduler.PreferNext(null);
                }
                ThreadChannels.Of(me).Pinned = null;
                e.Unpin();
            }
            Restore(flags);
            return result;
        }

        public static int Receive(Sip sip, int handle, ChannelMessage* m, ulong timeoutNs)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int result = ChannelStatus.BadHandle;
            Endpoint e = Own(sip, handle);
            if (e != null)
            {
                Thread me = Scheduler.Current;
                e.Pin();
                ThreadChannels.Of(me).Pinned = e;
                result = ReceiveLocked(sip, e, m, timeoutNs);
                ThreadChannels.Of(me).Pinned = null;
                e.Unpin();
            }
            Restore(flags);
            return result;
        }

        private static int ReceiveLocked(Sip sip, Endpoint e, ChannelMessage* m, ulong timeoutNs)
        {
            ulong deadline = Deadline(timeoutNs);
            Thread me = Scheduler.Current;
            Endpoint[] carried = ThreadChannels.Of(me).Carried;
            while (true)
            {
                if (e.TryDequeue(m, carried))
                {
                    // The handles arrive: blocks become the receiver's, endpoints enter its handle table.
                    for (int i = 0; i < m->HandleCount && i < ChannelMessage.MaxHandles; i++)
                    {
                        ulong h = m->Handles[i];
                        if ((h & ChannelMessage.KindMask) == ChannelMessage.KindBlock)
                            ExchangeHeap.Transfer(h, ExchangeHeap.InFlight, null, sip.Id, sip);
                        else if (carried[i] != null)
                        {
                            Endpoint c = carried[i];
                            c.Owner = sip;
                            int nh = sip.AddHandle(c);
                            if (nh < 0) { c.Close(); m->Handles[i] = 0; }
                            else m->Handles[i] = ChannelMessage.KindEndpoint | (uint)nh;
                        }
                    }
                    return ChannelStatus.Ok;
                }
                if (e.PeerGone) return ChannelStatus.Closed;
                e.WatchReadable(me);
                bool signaled = Wait(deadline);
                e.UnwatchReadable(me);
                if (!sip.IsAlive) return ChannelStatus.Closed;
                if (e.Closed) return ChannelStatus.Closed;           // another thread closed it
                if (e.Owner != sip) return ChannelStatus.BadHandle;  // another thread sent it away
                if (!signaled && !e.IsReadable) return ChannelStatus.TimedOut;
            }
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
            // The endpoints waited on, kept (and pinned) across the wait: another thread may close
            // one meanwhile, and its handle then no longer leads to it.
            Endpoint[] watched = ThreadChannels.Of(me).SelectScratch;
            while (true)
            {
                bool bad = false;
                int ready = -1;
                for (int i = 0; i < count && ready < 0; i++)
                {
                    Endpoint e = Own(sip, handles[i]);
                    if (e == null) { bad = true; break; }
                    if (e.IsReadable) ready = i;
                }
                if (bad) { result = ChannelStatus.BadHandle; break; }
                if (ready >= 0) { result = ready; break; }
                for (int i = 0; i < count; i++)
                {
                    watched[i] = Own(sip, handles[i]);
                    watched[i].Pin();
                    watched[i].WatchReadable(me);
                }
                ThreadChannels.Of(me).PinnedSelect = count;
                bool signaled = Wait(deadline);
                ThreadChannels.Of(me).PinnedSelect = 0;
                for (int i = 0; i < count; i++)
                {
                    watched[i].UnwatchReadable(me);
                    Endpoint w = watched[i];
                    watched[i] = null;
                    w.Unpin();
                }
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
            int n = ThreadChannels.Of(t).PinnedSelect;
            ThreadChannels.Of(t).PinnedSelect = 0;
            for (int i = 0; i < n; i++)
            {
                Endpoint w = ThreadChannels.Of(t).SelectScratch[i];
                ThreadChannels.Of(t).SelectScratch[i] = null;
                w.UnwatchReadable(t);
                w.Unpin();
            }
        }

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
                sip.TakeHandle(handle);
                e.Close();
                result = ChannelStatus.Ok;
            }
            Restore(flags);
            return result;
        }

        // When a wait of timeoutNs (0 = forever) from now ends; 0 for none. Saturates: a huge
        // timeout is forever, never a deadline that wrapped into the past.
        private static ulong Deadline(ulong timeoutNs)
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
