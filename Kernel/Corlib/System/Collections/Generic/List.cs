namespace System.Collections.Generic
{
    /// <summary>A growable array. `foreach` uses the struct enumerator (no allocation); changing the
    /// list while enumerating it is InvalidOperationException, as in .NET.</summary>
    /// <safety>Safe C# over a managed array: every index is checked against the count (and the array
    /// bounds by ilc), the capacity grows with checked arithmetic, and a SIP's delegates and Equals run
    /// in the SIP.</safety>
    /// <allmembers>Managed-array code with explicit checks of index and count (ArgumentOutOfRangeException),
    /// growth by doubling with checked arithmetic (OverflowException past int.MaxValue), and calls only of
    /// the caller's own delegates or the elements' Equals.</allmembers>
    public class List<T> : IReadOnlyList<T>
    {
        private T[] _items;
        private int _count;
        private int _version;

        public List() { _items = new T[0]; }

        public List(int capacity)
        {
            if (capacity < 0) throw new ArgumentOutOfRangeException("capacity");
            _items = new T[capacity];
        }

        public List(IEnumerable<T> items) : this()
        {
            if (items == null) throw new ArgumentNullException("items");
            foreach (T item in items) Add(item);
        }

        public int Count => _count;

        public int Capacity => _items.Length;

        public T this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException("index");
                return _items[index];
            }
            set
            {
                if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException("index");
                _items[index] = value;
                _version++;
            }
        }

        public void Add(T item)
        {
            if (_count == _items.Length) Grow(_count + 1);
            _items[_count++] = item;
            _version++;
        }

        public void AddRange(IEnumerable<T> items)
        {
            if (items == null) throw new ArgumentNullException("items");
            foreach (T item in items) Add(item);
        }

        public void Insert(int index, T item)
        {
            if ((uint)index > (uint)_count) throw new ArgumentOutOfRangeException("index");
            if (_count == _items.Length) Grow(_count + 1);
            for (int i = _count; i > index; i--) _items[i] = _items[i - 1];
            _items[index] = item;
            _count++;
            _version++;
        }

        public void RemoveAt(int index)
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException("index");
            _count--;
            for (int i = index; i < _count; i++) _items[i] = _items[i + 1];
            _items[_count] = default;
            _version++;
        }

        public bool Remove(T item)
        {
            int i = IndexOf(item);
            if (i < 0) return false;
            RemoveAt(i);
            return true;
        }

        public int RemoveAll(Predicate<T> match)
        {
            if (match == null) throw new ArgumentNullException("match");
            int kept = 0;
            for (int i = 0; i < _count; i++)
                if (!match(_items[i])) _items[kept++] = _items[i];
            int removed = _count - kept;
            for (int i = kept; i < _count; i++) _items[i] = default;
            _count = kept;
            _version++;
            return removed;
        }

        public void Clear()
        {
            for (int i = 0; i < _count; i++) _items[i] = default;
            _count = 0;
            _version++;
        }

        public int IndexOf(T item)
        {
            EqualityComparer<T> eq = EqualityComparer<T>.Default;
            for (int i = 0; i < _count; i++)
                if (eq.Equals(_items[i], item)) return i;
            return -1;
        }

        public bool Contains(T item) => IndexOf(item) >= 0;

        public T Find(Predicate<T> match)
        {
            if (match == null) throw new ArgumentNullException("match");
            for (int i = 0; i < _count; i++)
                if (match(_items[i])) return _items[i];
            return default;
        }

        public bool Exists(Predicate<T> match)
        {
            if (match == null) throw new ArgumentNullException("match");
            for (int i = 0; i < _count; i++)
                if (match(_items[i])) return true;
            return false;
        }

        public void ForEach(Action<T> action)
        {
            if (action == null) throw new ArgumentNullException("action");
            int version = _version;
            for (int i = 0; i < _count; i++)
            {
                if (version != _version) throw new InvalidOperationException("the list changed during ForEach");
                action(_items[i]);
            }
        }

        public void Reverse()
        {
            for (int i = 0, j = _count - 1; i < j; i++, j--)
            {
                T t = _items[i];
                _items[i] = _items[j];
                _items[j] = t;
            }
            _version++;
        }

        /// <summary>A stable merge sort by <paramref name="comparison"/>.</summary>
        public void Sort(Comparison<T> comparison)
        {
            if (comparison == null) throw new ArgumentNullException("comparison");
            if (_count < 2) return;
            var scratch = new T[_count];
            MergeSort(_items, scratch, 0, _count, comparison);
            _version++;
        }

        private static void MergeSort(T[] a, T[] scratch, int lo, int hi, Comparison<T> cmp)
        {
            if (hi - lo < 2) return;
            int mid = lo + (hi - lo) / 2;
            MergeSort(a, scratch, lo, mid, cmp);
            MergeSort(a, scratch, mid, hi, cmp);
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi) scratch[k++] = cmp(a[j], a[i]) < 0 ? a[j++] : a[i++];
            while (i < mid) scratch[k++] = a[i++];
            while (j < hi) scratch[k++] = a[j++];
            for (k = lo; k < hi; k++) a[k] = scratch[k];
        }

        public T[] ToArray()
        {
            var copy = new T[_count];
            for (int i = 0; i < _count; i++) copy[i] = _items[i];
            return copy;
        }

        private void Grow(int needed)
        {
            int capacity = _items.Length == 0 ? 4 : checked(_items.Length * 2);
            if (capacity < needed) capacity = needed;
            var bigger = new T[capacity];
            for (int i = 0; i < _count; i++) bigger[i] = _items[i];
            _items = bigger;
        }

        public Enumerator GetEnumerator() => new Enumerator(this);
        IEnumerator<T> IEnumerable<T>.GetEnumerator() => new BoxedEnumerator(this);
        IEnumerator IEnumerable.GetEnumerator() => new BoxedEnumerator(this);

        /// <safety>Reads the list through its checked indexer state; a change of the list since the
        /// enumerator began is InvalidOperationException.</safety>
        /// <allmembers>Reads an element at an index below the count it checks, or fails on a changed list.</allmembers>
        public struct Enumerator
        {
            private readonly List<T> _list;
            private readonly int _version;
            private int _index;
            private T _current;

            internal Enumerator(List<T> list)
            {
                _list = list;
                _version = list._version;
                _index = 0;
                _current = default;
            }

            public bool MoveNext()
            {
                if (_list == null) return false;
                if (_version != _list._version) throw new InvalidOperationException("the list changed during enumeration");
                if ((uint)_index >= (uint)_list._count) { _current = default; return false; }
                _current = _list._items[_index++];
                return true;
            }

            public T Current => _current;
        }

        // The enumerator as an object, for enumeration through IEnumerable<T>.
        private sealed class BoxedEnumerator : IEnumerator<T>
        {
            private Enumerator _inner;
            public BoxedEnumerator(List<T> list) { _inner = new Enumerator(list); }
            public bool MoveNext() => _inner.MoveNext();
            public T Current => _inner.Current;
            object IEnumerator.Current => _inner.Current;
            public void Reset() => throw new NotSupportedException("Reset");
            public void Dispose() { }
        }
    }
}
