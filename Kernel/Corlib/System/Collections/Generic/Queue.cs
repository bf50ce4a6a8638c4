namespace System.Collections.Generic
{
    /// <summary>First in, first out, over a circular array.</summary>
    /// <safety>Safe C# over a managed array: head and tail stay below its length (reduced after each
    /// step), the count is checked before every take, and growth uses checked arithmetic.</safety>
    /// <allmembers>Managed-array code with the count checked before a take (InvalidOperationException when empty).</allmembers>
    public class Queue<T>
    {
        private T[] _items = new T[4];
        private int _head;
        private int _count;

        public int Count => _count;

        public void Enqueue(T item)
        {
            if (_count == _items.Length)
            {
                var bigger = new T[checked(_items.Length * 2)];
                for (int i = 0; i < _count; i++) bigger[i] = _items[(_head + i) % _items.Length];
                _items = bigger;
                _head = 0;
            }
            _items[(_head + _count) % _items.Length] = item;
            _count++;
        }

        public T Dequeue()
        {
            if (!TryDequeue(out T item)) throw new InvalidOperationException("the queue is empty");
            return item;
        }

        public bool TryDequeue(out T item)
        {
            if (_count == 0) { item = default; return false; }
            item = _items[_head];
            _items[_head] = default;
            _head = (_head + 1) % _items.Length;
            _count--;
            return true;
        }

        public T Peek()
        {
            if (_count == 0) throw new InvalidOperationException("the queue is empty");
            return _items[_head];
        }

        public void Clear()
        {
            while (_count > 0) TryDequeue(out _);
            _head = 0;
        }
    }

    /// <summary>Last in, first out.</summary>
    /// <safety>A private List; the count is checked before every take.</safety>
    /// <allmembers>Calls of the private list's checked members; InvalidOperationException when empty.</allmembers>
    public class Stack<T>
    {
        private readonly List<T> _items = new List<T>();

        public int Count => _items.Count;

        public void Push(T item) => _items.Add(item);

        public T Pop()
        {
            if (!TryPop(out T item)) throw new InvalidOperationException("the stack is empty");
            return item;
        }

        public bool TryPop(out T item)
        {
            int n = _items.Count;
            if (n == 0) { item = default; return false; }
            item = _items[n - 1];
            _items.RemoveAt(n - 1);
            return true;
        }

        public T Peek()
        {
            int n = _items.Count;
            if (n == 0) throw new InvalidOperationException("the stack is empty");
            return _items[n - 1];
        }

        public void Clear() => _items.Clear();
    }
}
