using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel.Channels
{
    /// <summary>
    /// One end of a channel. Messages sent on an endpoint land in its peer's bounded queue;
    /// a full queue holds the sender back. When either side closes (or its SIP dies), the
    /// other side receives what is already queued and then sees Closed.
    /// </summary>
    internal sealed unsafe class Endpoint
    {
        public const int QueueCapacity = 16;

        public Endpoint Peer;
        public Sip Owner;                       // null while the endpoint travels inside a message
        public bool Closed;                     // this side closed
        public readonly int Id;
        private static int s_nextId = 1;

        // Incoming messages: the structs, plus the endpoint objects their endpoint handles stand for.
        private readonly ChannelMessage* _queue;
        private readonly Endpoint[] _carried;
        private int _head, _count;

        // Threads to wake when this endpoint becomes readable (a message or a close) or
        // when its queue gains room.
        private readonly Watchers _readable = new Watchers();
        private readonly Watchers _writable = new Watchers();

        private Endpoint()
        {
            Id = s_nextId++;
            _queue = (ChannelMessage*)Memory.KernelHeap.Allocate((ulong)(QueueCapacity * sizeof(ChannelMessage)));
            _carried = new Endpoint[QueueCapacity * ChannelMessage.MaxHandles];
        }

        public static void CreatePair(Sip owner, out Endpoint imp, out Endpoint exp)
        {
            imp = new Endpoint();
            exp = new Endpoint();
            imp.Peer = exp;
            exp.Peer = imp;
            imp.Owner = owner;
            exp.Owner = owner;
        }

        public int QueuedCount => _count;
        public bool IsReadable => _count > 0 || Peer == null || Peer.Closed;
        public bool PeerGone => Peer == null || Peer.Closed;

        public void WatchReadable(Event e) => _readable.Add(e);
        public void UnwatchReadable(Event e) => _readable.Remove(e);
        public void WatchWritable(Event e) => _writable.Add(e);
        public void UnwatchWritable(Event e) => _writable.Remove(e);

        /// <summary>Queues a message whose handles have already been taken from the sender. Interrupts off.</summary>
        public bool TryEnqueue(ChannelMessage* m, Endpoint[] carried)
        {
            if (_count == QueueCapacity) return false;
            int at = (_head + _count) % QueueCapacity;
            _queue[at] = *m;
            for (int i = 0; i < ChannelMessage.MaxHandles; i++) _carried[at * ChannelMessage.MaxHandles + i] = carried[i];
            _count++;
            _readable.WakeAll();
            return true;
        }

        /// <summary>Takes the oldest message; its endpoint objects come back in <paramref name="carried"/>. Interrupts off.</summary>
        public bool TryDequeue(ChannelMessage* m, Endpoint[] carried)
        {
            if (_count == 0) return false;
            *m = _queue[_head];
            for (int i = 0; i < ChannelMessage.MaxHandles; i++)
            {
                carried[i] = _carried[_head * ChannelMessage.MaxHandles + i];
                _carried[_head * ChannelMessage.MaxHandles + i] = null;
            }
            _head = (_head + 1) % QueueCapacity;
            _count--;
            // Room in this queue: senders on the peer may go on.
            if (Peer != null) Peer._writable.WakeAll();
            return true;
        }

        public bool HasRoom => _count < QueueCapacity;

        /// <summary>
        /// Closes this side: the peer is woken and will see Closed once its queue drains; what
        /// was queued for this side is destroyed, freeing the blocks and closing the endpoints
        /// it carried. Interrupts off.
        /// </summary>
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
                    else if (carried[i] != null) carried[i].Close();
                }
            }
            _readable.WakeAll();
            _writable.WakeAll();
            if (Peer != null)
            {
                Peer._readable.WakeAll();
                Peer._writable.WakeAll();
            }
        }
    }

    /// <summary>A small set of events to signal when something happens to an endpoint.</summary>
    internal sealed class Watchers
    {
        private Event[] _events = new Event[4];
        private int _count;

        public void Add(Event e)
        {
            for (int i = 0; i < _count; i++) if (_events[i] == e) return;
            if (_count == _events.Length)
            {
                var bigger = new Event[_events.Length * 2];
                for (int i = 0; i < _count; i++) bigger[i] = _events[i];
                Runtime.Allocator.Free(_events);
                _events = bigger;
            }
            _events[_count++] = e;
        }

        public void Remove(Event e)
        {
            for (int i = 0; i < _count; i++)
            {
                if (_events[i] != e) continue;
                _events[i] = _events[--_count];
                _events[_count] = null;
                return;
            }
        }

        public void WakeAll()
        {
            // No preemption from inside a channel operation: the caller finishes it first.
            for (int i = 0; i < _count; i++) _events[i].SetWithoutPreemption();
        }
    }
}
