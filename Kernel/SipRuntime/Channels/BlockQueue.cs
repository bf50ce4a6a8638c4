// Shared: compiled into the SIP runtime and into the hosted runtime (Tests/Singularity.Channels.Hosted).
#nullable disable
using System;

namespace Singularity.Channels
{
    /// <summary>
    /// A first-in, first-out queue that owns exchange buffers: a service keeps blocks it will send
    /// or process later (a NIC's receive ring, a disk's pending writes) here, because a SIP may not
    /// keep tracked values in an array or a collection of its own (SING0004, SV0304). Enqueue claims
    /// the buffer; Dequeue hands the oldest one back to the caller, who owns it.
    /// </summary>
    /// <safety>A sealed class; its ring of buffers is private and every access holds a private lock, so two
    /// threads never both dequeue one buffer (linearity holds under races). Every index is taken modulo the
    /// ring's length; the capacity is checked when the queue is made.</safety>
    public sealed class BlockQueue
    {
        private readonly ExBuffer[] _ring;
        private int _head;      // the oldest buffer
        private int _count;
        private readonly object _gate = new object();

        /// <summary>A queue of at most <paramref name="capacity"/> buffers (1 to 65536).</summary>
        /// <safety>The capacity is checked (ArgumentOutOfRangeException) before the ring is made.</safety>
        public BlockQueue(int capacity)
        {
            if (capacity < 1 || capacity > 65536) throw new ArgumentOutOfRangeException("capacity");
            _ring = new ExBuffer[capacity];
        }

        /// <safety>Reads the count under the lock.</safety>
        public int Count { get { lock (_gate) return _count; } }

        /// <safety>The ring's length, fixed when the queue was made.</safety>
        public int Capacity => _ring.Length;

        /// <summary>Adds a buffer at the end; when the queue is full the buffer is freed and false returned.</summary>
        /// <safety>A null buffer is ArgumentException. Under the lock the count is checked against the ring before
        /// the store, at an index taken modulo the ring's length; a refused buffer is freed (the kernel frees only
        /// what the calling SIP owns).</safety>
        public bool Enqueue([Claims] ExBuffer buffer)
        {
            if (buffer.IsNull) throw new ArgumentException("enqueueing a null buffer");
            lock (_gate)
            {
                if (_count < _ring.Length)
                {
                    _ring[(_head + _count) % _ring.Length] = buffer;
                    _count++;
                    return true;
                }
            }
            buffer.Free();
            return false;
        }

        /// <summary>Takes the oldest buffer out of the queue (the caller owns it); a null buffer (IsNull) when the queue is empty.</summary>
        /// <safety>Under the lock the slot is read and cleared before the head moves, so each buffer is handed out once.</safety>
        public ExBuffer Dequeue()
        {
            lock (_gate)
            {
                if (_count == 0) return default;
                ExBuffer b = _ring[_head];
                _ring[_head] = default;
                _head = (_head + 1) % _ring.Length;
                _count--;
                return b;
            }
        }

        /// <summary>Frees every buffer still queued.</summary>
        /// <safety>Dequeues under the lock, one at a time, and frees each outside it.</safety>
        public void Clear()
        {
            while (true)
            {
                ExBuffer b = Dequeue();
                if (b.IsNull) return;
                b.Free();
            }
        }
    }
}
