using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel.Channels
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
            Endpoint.CreatePair(sip, out Endpoint imp, out Endpoint exp);
            int a = sip.AddHandle(imp);
            int b = a < 0 ? -1 : sip.AddHandle(exp);
            if (b < 0)
            {
                if (a >= 0) sip.TakeHandle(a);
                return ChannelStatus.OutOfMemory;
            }
            *impHandle = a;
            *expHandle = b;
            return ChannelStatus.Ok;
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
            int result = SendLocked(sip, handle, m, timeoutNs);
            Restore(flags);
            return result;
        }

        private static int SendLocked(Sip sip, int handle, ChannelMessage* m, ulong timeoutNs)
        {
            Endpoint e = Own(sip, handle);
            if (e == null) return ChannelStatus.BadHandle;
            if (m->HandleCount < 0 || m->HandleCount > ChannelMessage.MaxHandles) return ChannelStatus.BadMessage;
            Endpoint[] carried = Scheduler.Current.CarriedEndpoints;
            for (int i = 0; i < m->HandleCount; i++) carried[i] = null;
            {
                // Check every handle first: nothing moves unless the whole message is valid.
                for (int i = 0; i < m->HandleCount; i++)
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

                // Back-pressure: wait for room in the peer's queue.
                ulong deadline = timeoutNs == 0 ? 0 : Clock.MonotonicNs + timeoutNs;
                Thread me = Scheduler.Current;
                while (!e.PeerGone && !e.Peer.HasRoom)
                {
                    e.WatchWritable(me);
                    bool signaled = Wait(deadline);
                    e.UnwatchWritable(me);
                    if (!sip.IsAlive) return ChannelStatus.Closed;
                    if (!signaled && (e.PeerGone || !e.Peer.HasRoom)) return ChannelStatus.TimedOut;
                }
                if (e.PeerGone || e.Closed) return ChannelStatus.Closed;

                // Commit: the handles leave the sender.
                for (int i = 0; i < m->HandleCount; i++)
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
        }

        public static int Receive(Sip sip, int handle, ChannelMessage* m, ulong timeoutNs)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int result = ReceiveLocked(sip, handle, m, timeoutNs);
            Restore(flags);
            return result;
        }

        private static int ReceiveLocked(Sip sip, int handle, ChannelMessage* m, ulong timeoutNs)
        {
            Endpoint e = Own(sip, handle);
            if (e == null) return ChannelStatus.BadHandle;
            ulong deadline = timeoutNs == 0 ? 0 : Clock.MonotonicNs + timeoutNs;
            Thread me = Scheduler.Current;
            Endpoint[] carried = me.CarriedEndpoints;
            {
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
                    if (!signaled && !e.IsReadable) return ChannelStatus.TimedOut;
                }
            }
        }

        /// <summary>
        /// Waits until one of the endpoints has a message or has seen its peer close; returns its
        /// index in the list, TimedOut, or BadHandle.
        /// </summary>
        public static int Select(Sip sip, int* handles, int count, ulong timeoutNs)
        {
            if (count <= 0 || count > 64) return ChannelStatus.BadHandle;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            int result = ChannelStatus.TimedOut;
            ulong deadline = timeoutNs == 0 ? 0 : Clock.MonotonicNs + timeoutNs;
            Thread me = Scheduler.Current;
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
                for (int i = 0; i < count; i++) Own(sip, handles[i]).WatchReadable(me);
                bool signaled = Wait(deadline);
                for (int i = 0; i < count; i++) Own(sip, handles[i])?.UnwatchReadable(me);
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
