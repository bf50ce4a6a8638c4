namespace System.Collections.Generic
{
    /// <summary>A set of distinct values, over a Dictionary of the values.</summary>
    /// <safety>Delegates every operation to a private Dictionary (whose safety notes apply).</safety>
    /// <allmembers>Calls of the private dictionary's checked members.</allmembers>
    public class HashSet<T> : IReadOnlyCollection<T>
    {
        private readonly Dictionary<T, bool> _items;

        public HashSet() { _items = new Dictionary<T, bool>(); }

        public HashSet(IEqualityComparer<T> comparer) { _items = new Dictionary<T, bool>(comparer); }

        public HashSet(IEnumerable<T> items) : this()
        {
            if (items == null) throw new ArgumentNullException("items");
            foreach (T item in items) Add(item);
        }

        public int Count => _items.Count;

        public bool Add(T item) => _items.TryAdd(item, true);

        public bool Contains(T item) => _items.ContainsKey(item);

        public bool Remove(T item) => _items.Remove(item);

        public void Clear() => _items.Clear();

        public void UnionWith(IEnumerable<T> other)
        {
            if (other == null) throw new ArgumentNullException("other");
            foreach (T item in other) Add(item);
        }

        public Dictionary<T, bool>.KeyEnumerator GetEnumerator() => _items.Keys.GetEnumerator();
        IEnumerator<T> IEnumerable<T>.GetEnumerator() => new BoxedEnumerator(_items);
        IEnumerator IEnumerable.GetEnumerator() => new BoxedEnumerator(_items);

        private sealed class BoxedEnumerator : IEnumerator<T>
        {
            private Dictionary<T, bool>.KeyEnumerator _inner;
            public BoxedEnumerator(Dictionary<T, bool> d) { _inner = d.Keys.GetEnumerator(); }
            public bool MoveNext() => _inner.MoveNext();
            public T Current => _inner.Current;
            object IEnumerator.Current => _inner.Current;
            public void Reset() => throw new NotSupportedException("Reset");
            public void Dispose() { }
        }
    }
}
