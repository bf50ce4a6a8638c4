namespace Singularity.Kernel.Threading
{
    /// <summary>A FIFO of threads blocked on something (an event, a mutex, a join).</summary>
    internal sealed class WaitQueue
    {
        private Thread _head, _tail;

        public bool IsEmpty => _head == null;

        public void Enqueue(Thread t)
        {
            t.Next = null;
            if (_tail == null) _head = t; else _tail.Next = t;
            _tail = t;
        }

        public Thread Dequeue()
        {
            Thread t = _head;
            if (t == null) return null;
            _head = t.Next;
            if (_head == null) _tail = null;
            t.Next = null;
            return t;
        }

        public bool Remove(Thread t)
        {
            Thread prev = null;
            for (Thread c = _head; c != null; prev = c, c = c.Next)
            {
                if (c != t) continue;
                if (prev == null) _head = c.Next; else prev.Next = c.Next;
                if (_tail == c) _tail = prev;
                c.Next = null;
                return true;
            }
            return false;
        }
    }
}
