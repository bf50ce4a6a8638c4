using System.Collections.Generic;
using System.Threading;

namespace Singularity.Ipc
{
    /// <summary>
    /// One end of a hosted channel, with the kernel's rules (docs/channels.md, "Channels"): a
    /// bounded queue of 16 incoming messages; a send checks every handle in the message is the
    /// sender's to give before anything moves (else BadMessage); blocks and ends in a queued
    /// message belong to nobody until received; after a close the peer drains its queue, then
    /// sees Closed. A peer counts as gone when it closed, or when its last user thread has ended
    /// (the hosted stand-in for a SIP dying); an end travelling inside a message is never gone.
    /// All fields are guarded by Hub.Lock.
    /// </summary>
    internal sealed class ChannelEnd
    {
        public const int Capacity = 16;

        private readonly Queue<RawMessage> _incoming = new Queue<RawMessage>();
        private ChannelEnd _peer = null!;
        private bool _closed;
        private bool _inFlight;
        private Thread? _owner;

        /// <summary>The generation whose handles may use this end (bumped whenever it travels).</summary>
        public int Generation { get; private set; } = 1;

        public static void CreatePair(out ChannelEnd a, out ChannelEnd b)
        {
            a = new ChannelEnd { _owner = Thread.CurrentThread };
            b = new ChannelEnd { _owner = Thread.CurrentThread };
            a._peer = b;
            b._peer = a;
        }

        private bool Gone => _closed || (!_inFlight && _owner != null && !_owner.IsAlive);

        private bool HeldBy(int generation) => !_closed && !_inFlight && generation == Generation;

        public RecvStatus Send(int generation, RawMessage message, int timeoutMs)
        {
            long deadline = Hub.Deadline(timeoutMs);
            lock (Hub.Lock)
            {
                while (true)
                {
                    if (!HeldBy(generation)) return RecvStatus.BadHandle;
                    _owner = Thread.CurrentThread;
                    if (!Givable(ref message)) return RecvStatus.BadMessage;
                    // Not an error (as in Singularity): the sender's next receive sees Closed.
                    if (_peer.Gone) return RecvStatus.Closed;
                    if (_peer._incoming.Count < Capacity) break;
                    // Back-pressure: a sender to a full queue waits for room.
                    if (timeoutMs == 0 || !Hub.Wait(deadline)) return RecvStatus.TimedOut;
                }
                for (int i = 0; i < message.HandleCount; i++)
                {
                    ref RawMessage.Slot s = ref message.SlotRef(i);
                    s.Generation = s.End != null ? s.End.Leave() : s.Block!.Leave();
                }
                _peer._incoming.Enqueue(message);
                Hub.Changed();
                return RecvStatus.Ok;
            }
        }

        // Every handle is the sender's to give, none twice, and no end of this very channel.
        private bool Givable(ref RawMessage message)
        {
            int n = message.RawHandleCount;
            if ((uint)n > RawMessage.MaxHandles) return false;
            for (int i = 0; i < n; i++)
            {
                RawMessage.Slot s = message.SlotRef(i);
                if (s.End != null)
                {
                    if (s.End == this || s.End == _peer || !s.End.HeldBy(s.Generation)) return false;
                }
                else if (s.Block == null || !s.Block.IsOwnedBy(s.Generation)) return false;
                for (int j = 0; j < i; j++)
                {
                    RawMessage.Slot t = message.SlotRef(j);
                    if ((s.End != null && t.End == s.End) || (s.Block != null && t.Block == s.Block)) return false;
                }
            }
            return true;
        }

        public RecvStatus Receive(int generation, out RawMessage message, int timeoutMs)
        {
            message = default;
            long deadline = Hub.Deadline(timeoutMs);
            lock (Hub.Lock)
            {
                while (true)
                {
                    if (!HeldBy(generation)) return RecvStatus.BadHandle;
                    _owner = Thread.CurrentThread;
                    if (_incoming.Count > 0)
                    {
                        message = _incoming.Dequeue();
                        // What the message carries becomes the receiver's: the handles are rewritten
                        // to the new generation, as the kernel rewrites them to the receiver's own.
                        for (int i = 0; i < message.HandleCount; i++)
                        {
                            ref RawMessage.Slot s = ref message.SlotRef(i);
                            s.Generation = s.End != null ? s.End.Arrive(Thread.CurrentThread) : s.Block!.Arrive();
                        }
                        Hub.Changed();   // a sender may be waiting for room
                        return RecvStatus.Ok;
                    }
                    if (_peer.Gone) return RecvStatus.Closed;
                    if (timeoutMs == 0 || !Hub.Wait(deadline)) return RecvStatus.TimedOut;
                }
            }
        }

        /// <summary>The kernel's Select: the index of the first end with a message or a gone peer, -1 on timeout.</summary>
        public static int Select(RawEndpoint[] ends, int timeoutMs)
        {
            long deadline = Hub.Deadline(timeoutMs);
            lock (Hub.Lock)
            {
                while (true)
                {
                    for (int i = 0; i < ends.Length; i++)
                    {
                        ChannelEnd? e = ends[i].End;
                        if (e == null || !e.HeldBy(ends[i].Generation))
                            throw new System.InvalidOperationException("select over an endpoint this SIP does not hold");
                        e._owner = Thread.CurrentThread;
                    }
                    for (int i = 0; i < ends.Length; i++)
                        if (ends[i].End!._incoming.Count > 0 || ends[i].End!._peer.Gone) return i;
                    if (timeoutMs == 0 || !Hub.Wait(deadline)) return -1;
                }
            }
        }

        public void Close(int generation)
        {
            lock (Hub.Lock)
            {
                if (!HeldBy(generation)) return;   // as the kernel: closing a handle not held does nothing
                _closed = true;
                // Messages nobody will receive: release what they carry.
                while (_incoming.Count > 0) Drop(_incoming.Dequeue());
                Hub.Changed();
            }
        }

        /// <summary>Releases what an undeliverable message carries (its blocks and ends are nobody's).</summary>
        private static void Drop(RawMessage message)
        {
            for (int i = 0; i < message.HandleCount; i++)
            {
                RawMessage.Slot s = message.SlotRef(i);
                if (s.End != null) s.End.Close(s.End.Arrive(null));   // Monitor is reentrant: fine under Hub.Lock
                else s.Block!.Free();
            }
        }

        private int Leave()
        {
            _inFlight = true;
            return ++Generation;
        }

        private int Arrive(Thread? receiver)
        {
            _inFlight = false;
            if (receiver != null) _owner = receiver;
            return ++Generation;
        }
    }
}
