using System.Runtime.CompilerServices;

namespace System
{
    /// <summary>Spans over arrays and strings, and searches over spans (the names .NET uses, so the
    /// same source builds in hosted mode).</summary>
    /// <safety>Each method makes a span through the checked constructors (arrays) or over a string's own
    /// characters with a range checked against its length, or reads a span through its checked indexer.
    /// A SIP's Equals runs in the SIP.</safety>
    /// <allmembers>Makes spans with ranges checked unsigned against the array's or string's length
    /// (ArgumentOutOfRangeException), or compares elements read through checked indexers.</allmembers>
    /// <unsafe>The string overloads take the reference to a string's first character and Unsafe.Add it by a
    /// start already checked to be at most the string's length, then make a read-only span of a length
    /// checked to end within the string: the span covers only that string's characters.</unsafe>
    public static class MemoryExtensions
    {
        /// <safety>The span constructor over the whole array (element type checked).</safety>
        public static Span<T> AsSpan<T>(this T[] array) => new Span<T>(array);

        /// <safety>Checks start unsigned against the array's length (ArgumentOutOfRangeException).</safety>
        public static Span<T> AsSpan<T>(this T[] array, int start)
        {
            if (array == null)
            {
                if (start != 0) throw new ArgumentOutOfRangeException("start");
                return default;
            }
            if ((uint)start > (uint)array.Length) throw new ArgumentOutOfRangeException("start");
            return new Span<T>(array, start, array.Length - start);
        }

        /// <safety>The checked span constructor.</safety>
        public static Span<T> AsSpan<T>(this T[] array, int start, int length) => new Span<T>(array, start, length);

        /// <safety>The string's characters, read-only (strings are immutable); a null string is the empty span.</safety>
        public static ReadOnlySpan<char> AsSpan(this string text) => text == null ? default : new ReadOnlySpan<char>(ref text.FirstCharRef(), text.Length);

        /// <safety>Checks start unsigned against the string's length (ArgumentOutOfRangeException).</safety>
        public static ReadOnlySpan<char> AsSpan(this string text, int start)
        {
            if (text == null)
            {
                if (start != 0) throw new ArgumentOutOfRangeException("start");
                return default;
            }
            if ((uint)start > (uint)text.Length) throw new ArgumentOutOfRangeException("start");
            return new ReadOnlySpan<char>(ref Unsafe.Add(ref text.FirstCharRef(), start), text.Length - start);
        }

        /// <safety>Checks start + length with unsigned 64-bit arithmetic against the string's length (ArgumentOutOfRangeException).</safety>
        public static ReadOnlySpan<char> AsSpan(this string text, int start, int length)
        {
            if (text == null)
            {
                if (start != 0 || length != 0) throw new ArgumentOutOfRangeException("start");
                return default;
            }
            if ((ulong)(uint)start + (uint)length > (uint)text.Length) throw new ArgumentOutOfRangeException("start");
            return new ReadOnlySpan<char>(ref Unsafe.Add(ref text.FirstCharRef(), start), length);
        }

        /// <safety>Reads each element through the checked indexer; a null value matches null elements.</safety>
        public static int IndexOf<T>(this Span<T> span, T value) where T : IEquatable<T> => IndexOf((ReadOnlySpan<T>)span, value);

        /// <safety>Reads each element through the checked indexer; a null value matches null elements.</safety>
        public static int IndexOf<T>(this ReadOnlySpan<T> span, T value) where T : IEquatable<T>
        {
            for (int i = 0; i < span.Length; i++)
                if (ElementEquals(span[i], value)) return i;
            return -1;
        }

        /// <safety>Compares lengths, then each pair of elements read through the checked indexers.</safety>
        public static bool SequenceEqual<T>(this Span<T> span, ReadOnlySpan<T> other) where T : IEquatable<T> => SequenceEqual((ReadOnlySpan<T>)span, other);

        /// <safety>Compares lengths, then each pair of elements read through the checked indexers.</safety>
        public static bool SequenceEqual<T>(this ReadOnlySpan<T> span, ReadOnlySpan<T> other) where T : IEquatable<T>
        {
            if (span.Length != other.Length) return false;
            for (int i = 0; i < span.Length; i++)
                if (!ElementEquals(span[i], other[i])) return false;
            return true;
        }

        private static bool ElementEquals<T>(T element, T value) where T : IEquatable<T>
        {
            if (value == null) return element == null;
            return value.Equals(element);
        }
    }
}
