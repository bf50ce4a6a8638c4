using System.Runtime;
using System.Runtime.CompilerServices;

namespace System
{
    /// <safety>Immutable once returned: the length is written by the allocator and the characters
    /// only by the core library before the string is handed out. Every member reads within
    /// <c>[0, Length)</c>, checked unsigned; every length computed from callers' strings is checked
    /// for overflow before allocation. SIP code cannot make a string other than through these
    /// members (the constructor is private).</safety>
    public sealed unsafe class String
    {
        // ilc requires exactly these two field names; the characters follow _firstChar inline.
        private readonly int _stringLength;
        private char _firstChar;

        // Strings come from literals and the factory methods below, never from `new`.
        private String() { }

        /// <safety>A read-only reference to the empty literal.</safety>
        public static readonly string Empty = "";

        /// <safety>Returns the length the allocator wrote, which never changes.</safety>
        public int Length => _stringLength;

        /// <safety>Checks the index unsigned against the length (IndexOutOfRangeException) before the read.</safety>
        /// <unsafe>Reads the character at <c>index</c> after <c>(uint)index &lt; (uint)Length</c>.</unsafe>
        [IndexerName("Chars")]
        public char this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_stringLength)
                    throw new IndexOutOfRangeException();
                return Unsafe.Add(ref _firstChar, index);
            }
        }

        /// <summary>For <c>fixed (char* p = s)</c> in the kernel and the runtime.</summary>
        internal ref readonly char GetPinnableReference() => ref _firstChar;

        // For read-only spans over the characters (MemoryExtensions.AsSpan): a reference into this
        // string, which the spans never write through.
        internal ref char FirstCharRef() => ref _firstChar;

        /// <safety>The string's characters as a read-only span (MemoryExtensions.AsSpan): never written through.</safety>
        public static implicit operator ReadOnlySpan<char>(string value) => value.AsSpan();

        // Every string shares the MethodTable of the empty literal, which is always present.
        // The allocator refuses a negative length (OverflowException) and a size past 2 GiB or
        // the SIP's quota (OutOfMemoryException) before it touches memory.
        /// <unsafe>Allocates through RhpNewArray with the string MethodTable (taken from the "" literal's
        /// header), so the new object is a string of exactly <paramref name="length"/> characters, zeroed;
        /// Unsafe.As only retypes that reference.</unsafe>
        internal static string FastAllocate(int length)
        {
            if (length == 0)
                return Empty;
            object literal = "";
            object s = RuntimeImports.RhpNewArray(literal.m_pEEType, length);
            return Unsafe.As<string>(s);
        }

        internal static string FromChar(char c)
        {
            string s = FastAllocate(1);
            s._firstChar = c;
            return s;
        }

        /// <summary>A string of the given ASCII bytes (a NUL ends it early).</summary>
        /// <unsafe>Reads at most <paramref name="maxLength"/> bytes from <paramref name="bytes"/>:
        /// the caller (kernel or runtime, this is internal) passes memory it owns of at least that
        /// size or NUL-terminated within it. Writes exactly the allocated n characters.</unsafe>
        internal static string FromAscii(byte* bytes, int maxLength)
        {
            int n = 0;
            while (n < maxLength && bytes[n] != 0) n++;
            string s = FastAllocate(n);
            fixed (char* d = &s._firstChar)
                for (int i = 0; i < n; i++) d[i] = (char)bytes[i];
            return s;
        }

        /// <summary>A string of the given ASCII bytes (bytes above 127 become '?').</summary>
        /// <safety>Allocates exactly <c>bytes.Length</c> characters (an array's length cannot change)
        /// and writes each through the string's own bounds; null throws NullReferenceException.</safety>
        /// <unsafe>Writes <c>bytes.Length</c> characters into a string allocated with that length.</unsafe>
        public static string FromAscii(byte[] bytes)
        {
            int n = bytes.Length;
            string s = FastAllocate(n);
            fixed (char* d = &s._firstChar)
                for (int i = 0; i < n; i++) d[i] = bytes[i] < 128 ? (char)bytes[i] : '?';
            return s;
        }

        /// <unsafe>Reads <paramref name="length"/> characters from <paramref name="chars"/>: the caller
        /// (kernel or runtime, this is internal) passes a buffer it owns of that many characters.</unsafe>
        internal static string FromChars(char* chars, int length)
        {
            string s = FastAllocate(length);
            fixed (char* d = &s._firstChar)
                for (int i = 0; i < length; i++) d[i] = chars[i];
            return s;
        }

        /// <safety>Null parts count as empty. The total length is summed with an overflow check
        /// (OutOfMemoryException past int.MaxValue characters, as .NET), and each part is copied
        /// within the new string's bounds (<c>CopyInto</c> checks them again).</safety>
        public static string Concat(string a, string b)
        {
            a ??= Empty; b ??= Empty;
            string s = FastAllocate(TotalLength(a.Length, b.Length));
            CopyInto(s, 0, a);
            CopyInto(s, a.Length, b);
            return s;
        }

        /// <safety>Two checked two-part concatenations.</safety>
        public static string Concat(string a, string b, string c) => Concat(Concat(a, b), c);

        /// <safety>Three checked two-part concatenations.</safety>
        public static string Concat(string a, string b, string c, string d) => Concat(Concat(a, b), Concat(c, d));

        /// <safety>Calls the arguments' ToString (the caller's own code, if it overrides it), then the
        /// checked two-part concatenation.</safety>
        public static string Concat(object a, object b) => Concat(a?.ToString(), b?.ToString());

        /// <safety>Another thread may change the array while this runs, so its references are first
        /// copied into an array of the runtime's own; the lengths of that snapshot are summed with an
        /// overflow check (OutOfMemoryException past int.MaxValue characters) before anything is
        /// allocated, and each part is copied within the new string's bounds. A null array throws
        /// ArgumentNullException.</safety>
        public static string Concat(params string[] parts)
        {
            if (parts == null) throw new ArgumentNullException("parts");
            int count = parts.Length;
            var snapshot = new string[count];
            for (int i = 0; i < count; i++) snapshot[i] = parts[i];
            int total = 0;
            for (int i = 0; i < count; i++)
                if (snapshot[i] != null) total = TotalLength(total, snapshot[i].Length);
            string s = FastAllocate(total);
            int at = 0;
            for (int i = 0; i < count; i++)
            {
                string part = snapshot[i];
                if (part == null) continue;
                CopyInto(s, at, part);
                at += part.Length;
            }
            return s;
        }

        // The length of two pieces together; both are lengths (0 or more), so a sum that wraps is negative.
        private static int TotalLength(int a, int b)
        {
            int total = a + b;
            if (total < 0) throw new OutOfMemoryException("the string would be longer than the largest string (2^31 - 1 characters)");
            return total;
        }

        private static void CopyInto(string dest, int at, string src) => CopyRange(dest, at, src, 0, src.Length);

        /// <unsafe>Copies <paramref name="n"/> characters of <paramref name="src"/> from
        /// <paramref name="from"/> to <paramref name="dest"/> at <paramref name="at"/>, after checking
        /// (unsigned) that both ranges lie within their strings; a string's length never changes, and
        /// <c>dest</c> is a new string no other code has seen yet.</unsafe>
        private static void CopyRange(string dest, int at, string src, int from, int n)
        {
            if ((uint)at > (uint)dest.Length || (uint)n > (uint)(dest.Length - at)
                || (uint)from > (uint)src.Length || (uint)n > (uint)(src.Length - from))
                throw new IndexOutOfRangeException();
            if (n == 0) return;
            SpanHelpers.Memmove(ref Unsafe.As<char, byte>(ref Unsafe.Add(ref dest._firstChar, at)),
                                ref Unsafe.As<char, byte>(ref Unsafe.Add(ref src._firstChar, from)), (nuint)n * 2);
        }

        /// <safety>Starts at <paramref name="start"/>; the range check of <c>Substring(int, int)</c> applies.</safety>
        public string Substring(int start) => Substring(start, Length - start);

        /// <safety>Checks, unsigned, that <paramref name="start"/> is within the string and
        /// <paramref name="length"/> within what follows it (ArgumentOutOfRangeException), then
        /// copies exactly that range.</safety>
        public string Substring(int start, int length)
        {
            if ((uint)start > (uint)Length || (uint)length > (uint)(Length - start))
                throw new ArgumentOutOfRangeException("start");
            string s = FastAllocate(length);
            CopyRange(s, 0, this, start, length);
            return s;
        }

        /// <safety>IndexOf from 0.</safety>
        public int IndexOf(char c) => IndexOf(c, 0);

        /// <safety>A start outside <c>[0, Length]</c> is ArgumentOutOfRangeException; then reads through the checked indexer.</safety>
        public int IndexOf(char c, int start)
        {
            if ((uint)start > (uint)Length) throw new ArgumentOutOfRangeException("start");
            for (int i = start; i < Length; i++)
                if (this[i] == c) return i;
            return -1;
        }

        /// <safety>Null is ArgumentNullException; reads both strings through the checked indexer, within the shorter length.</safety>
        public bool StartsWith(string prefix)
        {
            if (prefix == null) throw new ArgumentNullException("prefix");
            if (prefix.Length > Length) return false;
            for (int i = 0; i < prefix.Length; i++)
                if (this[i] != prefix[i]) return false;
            return true;
        }

        /// <safety>Compares lengths, then characters through the checked indexer; nulls compare by reference.</safety>
        public static bool Equals(string a, string b)
        {
            if ((object)a == (object)b) return true;
            if (a is null || b is null || a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++)
                if (a[i] != b[i]) return false;
            return true;
        }

        /// <safety>Equals(string, string).</safety>
        public static bool operator ==(string a, string b) => Equals(a, b);
        /// <safety>Equals(string, string).</safety>
        public static bool operator !=(string a, string b) => !Equals(a, b);

        /// <safety>A type test, then Equals(string, string).</safety>
        public override bool Equals(object obj) => obj is string s && Equals(this, s);

        /// <safety>Reads each character through the checked indexer; integer arithmetic wraps harmlessly.</safety>
        public override int GetHashCode()
        {
            // FNV-1a: cheap and good enough for kernel tables.
            uint h = 2166136261;
            for (int i = 0; i < Length; i++) h = (h ^ this[i]) * 16777619;
            return (int)h;
        }

        /// <safety>Returns itself.</safety>
        public override string ToString() => this;
    }
}
