using System.Runtime.CompilerServices;

namespace System
{
    /// <summary>
    /// A view of a run of elements of a managed array: a ref field to the first element and a
    /// length. A span is a ref struct, so it lives only on the stack (the C# compiler checks
    /// this in C# source, the verifier re-checks it in any SIP's IL: SV0115); its reference
    /// always points into a GC-heap array, because every public way to make one starts from an
    /// array (there is no constructor from a pointer or from a single <c>ref T</c>). The
    /// collector keeps the array alive and in place while a span into it is on a stack (stacks
    /// are scanned conservatively, interior pointers included; objects never move).
    /// </summary>
    /// <safety>Every span covers a range of one managed array that was checked when the span was made
    /// (start and length, unsigned, against the array's length), and a span can never be stored where
    /// another thread could tear its reference from its length (SV0115). Writes through a span are
    /// type-safe: a span over an array whose runtime element type is not exactly T (array covariance,
    /// <c>object[] a = new string[1]</c>) is refused with ArrayTypeMismatchException.</safety>
    /// <allmembers>Reads or writes only elements at indexes checked unsigned against the span's length,
    /// or makes a new span whose range is checked to lie inside this one.</allmembers>
    /// <unsafe>The only unsafe operations are Unsafe.Add from the first element by an index already
    /// checked against the length (an element of the same array) and the byte counts of the moves and
    /// clears, which are Length × SizeOf&lt;T&gt; of a range inside one array (cannot overflow: Length
    /// is at most int.MaxValue and the array exists).</unsafe>
    public readonly ref struct Span<T>
    {
        // Into a GC-heap array (or null with _length 0); never into a stack frame.
        internal readonly ref T _reference;
        private readonly int _length;

        /// <safety>A null array makes the empty span. A non-empty array's first element is taken with
        /// ldelema, whose helper refuses an array whose element type is not exactly T
        /// (ArrayTypeMismatchException), so no write through the span can break array covariance.</safety>
        public Span(T[] array)
        {
            if (array == null) { this = default; return; }
            _reference = ref array.Length == 0 ? ref Unsafe.NullRef<T>() : ref array[0];
            _length = array.Length;
        }

        /// <safety>The range is checked with unsigned 64-bit arithmetic against the array's length
        /// (ArgumentOutOfRangeException); the element type is checked as in the one-argument constructor.</safety>
        public Span(T[] array, int start, int length)
        {
            if (array == null)
            {
                if (start != 0 || length != 0) throw new ArgumentOutOfRangeException("start");
                this = default;
                return;
            }
            if ((ulong)(uint)start + (uint)length > (uint)array.Length) throw new ArgumentOutOfRangeException("start");
            _reference = ref array.Length == 0 ? ref Unsafe.NullRef<T>() : ref Unsafe.Add(ref array[0], start);
            _length = length;
        }

        // For Slice and the conversions: the caller has checked that [reference, reference + length)
        // lies inside the array the reference points into. Internal: never a public way to make a
        // span from a single reference, which could be a local's.
        internal Span(ref T reference, int length)
        {
            _reference = ref reference;
            _length = length;
        }

        /// <safety>A span of no elements.</safety>
        public static Span<T> Empty => default;

        /// <safety>The length checked when the span was made.</safety>
        public int Length => _length;

        /// <safety>Compares the length with zero.</safety>
        public bool IsEmpty => _length == 0;

        /// <safety>Checks the index unsigned against the length (IndexOutOfRangeException) before it
        /// forms the element's reference, which points into the array the span covers.</safety>
        public ref T this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_length) throw new IndexOutOfRangeException();
                return ref Unsafe.Add(ref _reference, index);
            }
        }

        /// <safety>Checks start unsigned against the length (ArgumentOutOfRangeException); the new span is a suffix of this one.</safety>
        public Span<T> Slice(int start)
        {
            if ((uint)start > (uint)_length) throw new ArgumentOutOfRangeException("start");
            return new Span<T>(ref Unsafe.Add(ref _reference, start), _length - start);
        }

        /// <safety>Checks start + length with unsigned 64-bit arithmetic against the length
        /// (ArgumentOutOfRangeException); the new span lies inside this one.</safety>
        public Span<T> Slice(int start, int length)
        {
            if ((ulong)(uint)start + (uint)length > (uint)_length) throw new ArgumentOutOfRangeException("start");
            return new Span<T>(ref Unsafe.Add(ref _reference, start), length);
        }

        /// <safety>Refuses a destination shorter than this span (ArgumentException); moves exactly
        /// Length elements, correct when the two overlap.</safety>
        public void CopyTo(Span<T> destination)
        {
            if (!TryCopyTo(destination)) throw new ArgumentException("destination is shorter than the source span", "destination");
        }

        /// <safety>Returns false, copying nothing, when the destination is shorter; else moves exactly Length elements.</safety>
        public bool TryCopyTo(Span<T> destination)
        {
            if ((uint)_length > (uint)destination._length) return false;
            if (_length != 0)
                Buffer.BulkMoveWithWriteBarrier(ref Unsafe.As<T, byte>(ref destination._reference), ref Unsafe.As<T, byte>(ref _reference),
                                                (nuint)_length * (nuint)Unsafe.SizeOf<T>());
            return true;
        }

        /// <safety>Stores the value at indexes 0 to Length - 1 of the span.</safety>
        public void Fill(T value)
        {
            for (int i = 0; i < _length; i++) Unsafe.Add(ref _reference, i) = value;
        }

        /// <safety>Zeroes exactly Length elements (a zeroed reference is null, valid for any reference type).</safety>
        public void Clear()
        {
            if (_length != 0)
                SpanHelpers.ClearWithoutReferences(ref Unsafe.As<T, byte>(ref _reference), (nuint)_length * (nuint)Unsafe.SizeOf<T>());
        }

        /// <safety>Allocates a new array of Length elements (charged to the caller's heap) and copies into it.</safety>
        public T[] ToArray()
        {
            if (_length == 0) return new T[0];
            var a = new T[_length];
            new ReadOnlySpan<T>(ref _reference, _length).CopyTo(new Span<T>(a));
            return a;
        }

        /// <safety>An enumerator over this span's range: reads through the indexer's checks.</safety>
        public Enumerator GetEnumerator() => new Enumerator(this);

        /// <safety>The span over the whole array (the one-argument constructor's checks).</safety>
        public static implicit operator Span<T>(T[] array) => new Span<T>(array);

        /// <safety>The same range, read-only.</safety>
        public static implicit operator ReadOnlySpan<T>(Span<T> span) => new ReadOnlySpan<T>(ref span._reference, span._length);

        /// <summary>The enumerator `foreach` uses: a ref struct (it holds the span), no allocation.</summary>
        /// <safety>Holds a span and an index; Current reads through the span's checked indexer.</safety>
        /// <allmembers>Moves an index within the span's length or reads the element at it through the checked indexer.</allmembers>
        public ref struct Enumerator
        {
            private readonly Span<T> _span;
            private int _index;

            internal Enumerator(Span<T> span) { _span = span; _index = -1; }

            /// <safety>Advances the index while it is below the span's length.</safety>
            public bool MoveNext()
            {
                int next = _index + 1;
                if (next >= _span.Length) return false;
                _index = next;
                return true;
            }

            /// <safety>The span's checked indexer (IndexOutOfRangeException before the first MoveNext or past the end).</safety>
            public ref T Current => ref _span[_index];
        }
    }
}
