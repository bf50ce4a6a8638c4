using System.Runtime.CompilerServices;

namespace System
{
    /// <summary>
    /// A read-only view of a run of elements of a managed array or of a string's characters: a
    /// ref field and a length, like <see cref="Span{T}"/>, whose elements cannot be written
    /// through it. Strings are immutable, so a span over one is read-only.
    /// </summary>
    /// <safety>Every read-only span covers a range of one managed array or string checked when it was made
    /// (start and length, unsigned, against the object's length), and can never be stored where another
    /// thread could tear its reference from its length (SV0115). It hands out only read-only references,
    /// so a covariant array (a string[] seen as object[]) needs no element-type check.</safety>
    /// <allmembers>Reads only elements at indexes checked unsigned against the span's length, or makes a
    /// new span whose range is checked to lie inside this one.</allmembers>
    /// <unsafe>Unsafe.Add from the first element by an index already checked against the length; the
    /// array constructors find the first element 16 bytes into the array object (MethodTable pointer,
    /// length padded to 8), the layout ilc gives every single-dimensional array; CopyTo moves
    /// Length × SizeOf&lt;T&gt; bytes of a range inside one object into a destination at least as long.</unsafe>
    public readonly ref struct ReadOnlySpan<T>
    {
        // Into a GC-heap array or string, or a string literal in the image (or null with _length 0).
        internal readonly ref T _reference;
        private readonly int _length;

        /// <safety>A null array makes the empty span; otherwise the whole array, read-only.</safety>
        public ReadOnlySpan(T[] array)
        {
            if (array == null) { this = default; return; }
            _reference = ref FirstElement(array);
            _length = array.Length;
        }

        /// <safety>The range is checked with unsigned 64-bit arithmetic against the array's length
        /// (ArgumentOutOfRangeException).</safety>
        public ReadOnlySpan(T[] array, int start, int length)
        {
            if (array == null)
            {
                if (start != 0 || length != 0) throw new ArgumentOutOfRangeException("start");
                this = default;
                return;
            }
            if ((ulong)(uint)start + (uint)length > (uint)array.Length) throw new ArgumentOutOfRangeException("start");
            _reference = ref Unsafe.Add(ref FirstElement(array), start);
            _length = length;
        }

        // For Slice, the conversions and strings: the caller has checked the range lies inside one object.
        internal ReadOnlySpan(ref T reference, int length)
        {
            _reference = ref reference;
            _length = length;
        }

        // Element 0 of a non-null array, without ldelema's exact-type check (a read-only view may be
        // covariant). Single-dimensional arrays: MethodTable pointer, length padded to 8, elements.
        private static unsafe ref T FirstElement(T[] array)
        {
            byte* a = *(byte**)Unsafe.AsPointer(ref array);
            return ref Unsafe.AsRef<T>(a + 16);
        }

        /// <safety>A span of no elements.</safety>
        public static ReadOnlySpan<T> Empty => default;

        /// <safety>The length checked when the span was made.</safety>
        public int Length => _length;

        /// <safety>Compares the length with zero.</safety>
        public bool IsEmpty => _length == 0;

        /// <safety>Checks the index unsigned against the length (IndexOutOfRangeException); the reference is read-only.</safety>
        public ref readonly T this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_length) throw new IndexOutOfRangeException();
                return ref Unsafe.Add(ref _reference, index);
            }
        }

        /// <safety>Checks start unsigned against the length (ArgumentOutOfRangeException).</safety>
        public ReadOnlySpan<T> Slice(int start)
        {
            if ((uint)start > (uint)_length) throw new ArgumentOutOfRangeException("start");
            return new ReadOnlySpan<T>(ref Unsafe.Add(ref _reference, start), _length - start);
        }

        /// <safety>Checks start + length with unsigned 64-bit arithmetic against the length (ArgumentOutOfRangeException).</safety>
        public ReadOnlySpan<T> Slice(int start, int length)
        {
            if ((ulong)(uint)start + (uint)length > (uint)_length) throw new ArgumentOutOfRangeException("start");
            return new ReadOnlySpan<T>(ref Unsafe.Add(ref _reference, start), length);
        }

        /// <safety>Refuses a destination shorter than this span (ArgumentException); moves exactly Length elements.</safety>
        public void CopyTo(Span<T> destination)
        {
            if (!TryCopyTo(destination)) throw new ArgumentException("destination is shorter than the source span", "destination");
        }

        /// <safety>Returns false, copying nothing, when the destination is shorter; else moves exactly
        /// Length elements into a span whose own constructor checked its element type.</safety>
        public bool TryCopyTo(Span<T> destination)
        {
            if ((uint)_length > (uint)destination.Length) return false;
            if (_length != 0)
                Buffer.BulkMoveWithWriteBarrier(ref Unsafe.As<T, byte>(ref destination._reference), ref Unsafe.As<T, byte>(ref _reference),
                                                (nuint)_length * (nuint)Unsafe.SizeOf<T>());
            return true;
        }

        /// <safety>Allocates a new array of Length elements (charged to the caller's heap) and copies into it.</safety>
        public T[] ToArray()
        {
            var a = new T[_length];
            if (_length != 0) CopyTo(new Span<T>(a));
            return a;
        }

        /// <safety>An enumerator over this span's range: reads through the indexer's checks.</safety>
        public Enumerator GetEnumerator() => new Enumerator(this);

        /// <safety>The read-only span over the whole array.</safety>
        public static implicit operator ReadOnlySpan<T>(T[] array) => new ReadOnlySpan<T>(array);

        /// <summary>The enumerator `foreach` uses: a ref struct (it holds the span), no allocation.</summary>
        /// <safety>Holds a span and an index; Current reads through the span's checked indexer.</safety>
        /// <allmembers>Moves an index within the span's length or reads the element at it through the checked indexer.</allmembers>
        public ref struct Enumerator
        {
            private readonly ReadOnlySpan<T> _span;
            private int _index;

            internal Enumerator(ReadOnlySpan<T> span) { _span = span; _index = -1; }

            /// <safety>Advances the index while it is below the span's length.</safety>
            public bool MoveNext()
            {
                int next = _index + 1;
                if (next >= _span.Length) return false;
                _index = next;
                return true;
            }

            /// <safety>The span's checked indexer (IndexOutOfRangeException before the first MoveNext or past the end).</safety>
            public ref readonly T Current => ref _span[_index];
        }
    }
}
