namespace System.Collections.Generic
{
    /// <summary>A hash table of keys to values (chained through an entry array, as .NET's). Keys are
    /// compared with the key type's default equality (IEquatable, string, enum, or Equals) or a given
    /// comparer; a null key is ArgumentNullException.</summary>
    /// <safety>Safe C# over managed arrays: bucket indices are the hash reduced unsigned modulo the
    /// bucket count, entry indices come only from this table's own links, and a SIP's Equals,
    /// GetHashCode and comparer run in the SIP (a hostile hash only makes the table slow, in the SIP).</safety>
    /// <allmembers>Managed-array code: bucket index = (uint)hash % buckets.Length, entry links written only by
    /// this class, growth by doubling with checked arithmetic, and calls only of the keys' own equality or the
    /// caller's comparer.</allmembers>
    public class Dictionary<TKey, TValue> : IReadOnlyCollection<KeyValuePair<TKey, TValue>>
    {
        private struct Entry
        {
            public int Hash;
            public int Next;        // index of the next entry in the chain, -1 at its end
            public TKey Key;
            public TValue Value;
        }

        private readonly IEqualityComparer<TKey> _comparer;
        private int[] _buckets;     // entry index + 1; 0 = empty
        private Entry[] _entries;
        private int _used;          // entries ever used (live or on the free list)
        private int _count;
        private int _freeList = -1;
        private int _version;

        public Dictionary() : this(0, null) { }

        public Dictionary(int capacity) : this(capacity, null) { }

        public Dictionary(IEqualityComparer<TKey> comparer) : this(0, comparer) { }

        public Dictionary(int capacity, IEqualityComparer<TKey> comparer)
        {
            if (capacity < 0) throw new ArgumentOutOfRangeException("capacity");
            _comparer = comparer ?? EqualityComparer<TKey>.Default;
            int size = capacity < 4 ? 4 : capacity;
            _buckets = new int[size];
            _entries = new Entry[size];
        }

        public int Count => _count;

        public TValue this[TKey key]
        {
            get
            {
                int i = Find(key);
                if (i < 0) throw new KeyNotFoundException("the key is not in the dictionary");
                return _entries[i].Value;
            }
            set => Insert(key, value, false);
        }

        public void Add(TKey key, TValue value) => Insert(key, value, true);

        public bool TryAdd(TKey key, TValue value)
        {
            if (Find(key) >= 0) return false;
            Insert(key, value, true);
            return true;
        }

        public bool TryGetValue(TKey key, out TValue value)
        {
            int i = Find(key);
            value = i >= 0 ? _entries[i].Value : default;
            return i >= 0;
        }

        public bool ContainsKey(TKey key) => Find(key) >= 0;

        public bool Remove(TKey key) => Remove(key, out _);

        public bool Remove(TKey key, out TValue value)
        {
            if (key == null) throw new ArgumentNullException("key");
            int hash = _comparer.GetHashCode(key) & 0x7fffffff;
            int bucket = (int)((uint)hash % (uint)_buckets.Length);
            int previous = -1;
            for (int i = _buckets[bucket] - 1; i >= 0; previous = i, i = _entries[i].Next)
            {
                if (_entries[i].Hash != hash || !_comparer.Equals(_entries[i].Key, key)) continue;
                if (previous < 0) _buckets[bucket] = _entries[i].Next + 1;
                else _entries[previous].Next = _entries[i].Next;
                value = _entries[i].Value;
                _entries[i] = default;
                _entries[i].Hash = -1;
                _entries[i].Next = _freeList;
                _freeList = i;
                _count--;
                _version++;
                return true;
            }
            value = default;
            return false;
        }

        public void Clear()
        {
            for (int i = 0; i < _buckets.Length; i++) _buckets[i] = 0;
            for (int i = 0; i < _used; i++) _entries[i] = default;
            _used = 0;
            _count = 0;
            _freeList = -1;
            _version++;
        }

        public KeyCollection Keys => new KeyCollection(this);
        public ValueCollection Values => new ValueCollection(this);

        private int Find(TKey key)
        {
            if (key == null) throw new ArgumentNullException("key");
            int hash = _comparer.GetHashCode(key) & 0x7fffffff;
            for (int i = _buckets[(int)((uint)hash % (uint)_buckets.Length)] - 1; i >= 0; i = _entries[i].Next)
                if (_entries[i].Hash == hash && _comparer.Equals(_entries[i].Key, key)) return i;
            return -1;
        }

        private void Insert(TKey key, TValue value, bool add)
        {
            int i = Find(key);
            if (i >= 0)
            {
                if (add) throw new ArgumentException("an entry with the same key is already in the dictionary");
                _entries[i].Value = value;
                _version++;
                return;
            }
            int hash = _comparer.GetHashCode(key) & 0x7fffffff;
            if (_freeList >= 0)
            {
                i = _freeList;
                _freeList = _entries[i].Next;
            }
            else
            {
                if (_used == _entries.Length) Resize();
                i = _used++;
            }
            int bucket = (int)((uint)hash % (uint)_buckets.Length);
            _entries[i].Hash = hash;
            _entries[i].Key = key;
            _entries[i].Value = value;
            _entries[i].Next = _buckets[bucket] - 1;
            _buckets[bucket] = i + 1;
            _count++;
            _version++;
        }

        // Only when no entry is free: every used entry is live, so all are rehashed.
        private void Resize()
        {
            int size = checked(_entries.Length * 2);
            var entries = new Entry[size];
            for (int i = 0; i < _used; i++) entries[i] = _entries[i];
            var buckets = new int[size];
            for (int i = 0; i < _used; i++)
            {
                int bucket = (int)((uint)entries[i].Hash % (uint)size);
                entries[i].Next = buckets[bucket] - 1;
                buckets[bucket] = i + 1;
            }
            _entries = entries;
            _buckets = buckets;
        }

        public Enumerator GetEnumerator() => new Enumerator(this);
        IEnumerator<KeyValuePair<TKey, TValue>> IEnumerable<KeyValuePair<TKey, TValue>>.GetEnumerator() => new BoxedEnumerator(this);
        IEnumerator IEnumerable.GetEnumerator() => new BoxedEnumerator(this);

        /// <safety>Walks the entry array below the used count, skipping free entries; a change of the
        /// dictionary since the enumerator began is InvalidOperationException.</safety>
        /// <allmembers>Reads entries at indices below the used count, or fails on a changed dictionary.</allmembers>
        public struct Enumerator
        {
            private readonly Dictionary<TKey, TValue> _d;
            private readonly int _version;
            private int _index;
            private KeyValuePair<TKey, TValue> _current;

            internal Enumerator(Dictionary<TKey, TValue> d)
            {
                _d = d;
                _version = d._version;
                _index = 0;
                _current = default;
            }

            public bool MoveNext()
            {
                if (_d == null) return false;
                if (_version != _d._version) throw new InvalidOperationException("the dictionary changed during enumeration");
                while (_index < _d._used)
                {
                    int i = _index++;
                    if (_d._entries[i].Hash >= 0)
                    {
                        _current = new KeyValuePair<TKey, TValue>(_d._entries[i].Key, _d._entries[i].Value);
                        return true;
                    }
                }
                _current = default;
                return false;
            }

            public KeyValuePair<TKey, TValue> Current => _current;
        }

        private sealed class BoxedEnumerator : IEnumerator<KeyValuePair<TKey, TValue>>
        {
            private Enumerator _inner;
            public BoxedEnumerator(Dictionary<TKey, TValue> d) { _inner = new Enumerator(d); }
            public bool MoveNext() => _inner.MoveNext();
            public KeyValuePair<TKey, TValue> Current => _inner.Current;
            object IEnumerator.Current => _inner.Current;
            public void Reset() => throw new NotSupportedException("Reset");
            public void Dispose() { }
        }

        /// <safety>A view of the dictionary's keys; enumerates through the dictionary's checked enumerator.</safety>
        /// <allmembers>Enumerates the dictionary and yields each key.</allmembers>
        public readonly struct KeyCollection
        {
            private readonly Dictionary<TKey, TValue> _d;
            internal KeyCollection(Dictionary<TKey, TValue> d) { _d = d; }
            public int Count => _d._count;
            public KeyEnumerator GetEnumerator() => new KeyEnumerator(_d);
        }

        /// <safety>As KeyCollection.</safety>
        /// <allmembers>Steps the dictionary's enumerator and returns the key.</allmembers>
        public struct KeyEnumerator
        {
            private Enumerator _inner;
            internal KeyEnumerator(Dictionary<TKey, TValue> d) { _inner = new Enumerator(d); }
            public bool MoveNext() => _inner.MoveNext();
            public TKey Current => _inner.Current.Key;
        }

        /// <safety>A view of the dictionary's values; enumerates through the dictionary's checked enumerator.</safety>
        /// <allmembers>Enumerates the dictionary and yields each value.</allmembers>
        public readonly struct ValueCollection
        {
            private readonly Dictionary<TKey, TValue> _d;
            internal ValueCollection(Dictionary<TKey, TValue> d) { _d = d; }
            public int Count => _d._count;
            public ValueEnumerator GetEnumerator() => new ValueEnumerator(_d);
        }

        /// <safety>As ValueCollection.</safety>
        /// <allmembers>Steps the dictionary's enumerator and returns the value.</allmembers>
        public struct ValueEnumerator
        {
            private Enumerator _inner;
            internal ValueEnumerator(Dictionary<TKey, TValue> d) { _inner = new Enumerator(d); }
            public bool MoveNext() => _inner.MoveNext();
            public TValue Current => _inner.Current.Value;
        }
    }
}
