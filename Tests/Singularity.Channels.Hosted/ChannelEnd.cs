using System.Collections.Generic;
using System.Threading;

namespace Singularity.Channels
{
    /// <summary>
    /// One end of a hosted channel: the queue of messages sent to it (bounded, like the
    /// kernel's 16), whether it is closed, and the thread that last used it. A peer counts as
    /// gone when it closed, or when its last user thread has ended (the hosted stand-in for a
    /// SIP dying); an end travelling inside a message is never considered gone.
    /// All fields are guarded by Hub.Lock.
    /// </summary>
    internal sealed class ChannelEnd
    {
        public const int Capacity = 16;

        private readonly Queue<MessageFrame> _incoming = new Queue<MessageFrame>();
        private ChannelEnd _peer = null!;
        private bool _closed;
        private bool _inFlight;
        private Thread? _owner;

        public static void CreatePair(out ChannelEnd a, out ChannelEnd b)
        {
            a = new ChannelEnd { _owner = Thread.CurrentThread };
            b = new ChannelEnd { _owner = Thread.CurrentThread };
            a._peer = b;
            b._peer = a;
        }

        private bool Gone => _closed || (!_inFlight && _owner != null && !_owner.IsAlive);

        public void Send(MessageFrame frame)
        {
            lock (Hub.Lock)
            {
                _owner = Thread.CurrentThread;
                // Back-pressure: a sender to a full queue waits for room.
                while (!_peer.Gone && _peer._incoming.Count >= Capacity) Hub.Wait(-1);
                if (_peer.Gone)
                {
                    // Like the kernel: not an error; the sender's next receive sees ChannelClosed.
                    frame.Drop();
                    return;
                }
                frame.SetInFlight(true);
                _peer._incoming.Enqueue(frame);
                Hub.Changed();
            }
        }

        public ReceiveResult Receive(out MessageFrame frame, int timeoutMs)
        {
            long deadline = Hub.Deadline(timeoutMs);
            lock (Hub.Lock)
            {
                _owner = Thread.CurrentThread;
                while (true)
                {
                    if (_incoming.Count > 0)
                    {
                        frame = _incoming.Dequeue();
                        frame.Arrive(Thread.CurrentThread);
                        Hub.Changed();   // a sender may be waiting for room
                        return ReceiveResult.Message;
                    }
                    if (_peer.Gone) { frame = default; return ReceiveResult.ChannelClosed; }
                    if (timeoutMs == 0 || !Hub.Wait(deadline)) { frame = default; return ReceiveResult.TimedOut; }
                }
            }
        }

        /// <summary>Ready for Select: a message is queued or the peer is gone.</summary>
        public bool Ready => _incoming.Count > 0 || _peer.Gone;

        public void Close()
        {
            lock (Hub.Lock)
            {
                if (_closed) return;
                _closed = true;
                // Messages nobody will receive: release what they carry.
                while (_incoming.Count > 0) _incoming.Dequeue().Drop();
                Hub.Changed();
            }
        }

        /// <summary>Called with Hub.Lock held when a message carrying this end is queued or received.</summary>
        public void Carried(bool inFlight, Thread? receiver)
        {
            _inFlight = inFlight;
            if (receiver != null) _owner = receiver;
        }

        public void Touch()
        {
            lock (Hub.Lock) _owner = Thread.CurrentThread;
        }
    }
}
