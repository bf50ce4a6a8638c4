using System.Runtime;
using System.Runtime.CompilerServices;

namespace System
{
    public sealed unsafe class String
    {
        // ilc requires exactly these two field names; the characters follow _firstChar inline.
        private readonly int _stringLength;
        private char _firstChar;

        public static readonly string Empty = "";

        public int Length => _stringLength;

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

        public ref readonly char GetPinnableReference() => ref _firstChar;

        // Every string shares the MethodTable of the empty literal, which is always present.
        internal static string FastAllocate(int length)
        {
            if (length == 0)
                return Empty;
            object literal = "";
            object s = RuntimeImports.RhpNewArray(literal.m_pMethodTable, length);
            return Unsafe.As<string>(s);
        }

        internal static string FromChar(char c)
        {
            string s = FastAllocate(1);
            s._firstChar = c;
            return s;
        }

        /// <summary>A string of the given ASCII bytes (a NUL ends it early).</summary>
        public static string FromAscii(byte* bytes, int maxLength)
        {
            int n = 0;
            while (n < maxLength && bytes[n] != 0) n++;
            string s = FastAllocate(n);
            fixed (char* d = &s._firstChar)
                for (int i = 0; i < n; i++) d[i] = (char)bytes[i];
            return s;
        }

        /// <summary>A string of the given ASCII bytes (bytes above 127 become '?').</summary>
        public static string FromAscii(byte[] bytes)
        {
            string s = FastAllocate(bytes.Length);
            fixed (char* d = &s._firstChar)
                for (int i = 0; i < bytes.Length; i++) d[i] = bytes[i] < 128 ? (char)bytes[i] : '?';
            return s;
        }

        public static string FromChars(char* chars, int length)
        {
            string s = FastAllocate(length);
            fixed (char* d = &s._firstChar)
                for (int i = 0; i < length; i++) d[i] = chars[i];
            return s;
        }

        public static string Concat(string a, string b)
        {
            a ??= Empty; b ??= Empty;
            string s = FastAllocate(a.Length + b.Length);
            CopyInto(s, 0, a);
            CopyInto(s, a.Length, b);
            return s;
        }

        public static string Concat(string a, string b, string c) => Concat(Concat(a, b), c);

        public static string Concat(string a, string b, string c, string d) => Concat(Concat(a, b), Concat(c, d));

        public static string Concat(object a, object b) => Concat(a?.ToString(), b?.ToString());

        public static string Concat(params string[] parts)
        {
            int total = 0;
            for (int i = 0; i < parts.Length; i++) total += parts[i] == null ? 0 : parts[i].Length;
            string s = FastAllocate(total);
            int at = 0;
            for (int i = 0; i < parts.Length; i++)
            {
                if (parts[i] == null) continue;
                CopyInto(s, at, parts[i]);
                at += parts[i].Length;
            }
            return s;
        }

        private static void CopyInto(string dest, int at, string src)
        {
            fixed (char* d = &dest._firstChar)
            fixed (char* p = &src._firstChar)
                for (int i = 0; i < src.Length; i++) d[at + i] = p[i];
        }

        public string Substring(int start) => Substring(start, Length - start);

        public string Substring(int start, int length)
        {
            if ((uint)start > (uint)Length || (uint)length > (uint)(Length - start))
                throw new ArgumentOutOfRangeException("start");
            string s = FastAllocate(length);
            fixed (char* d = &s._firstChar)
            fixed (char* p = &_firstChar)
                for (int i = 0; i < length; i++) d[i] = p[start + i];
            return s;
        }

        public int IndexOf(char c) => IndexOf(c, 0);

        public int IndexOf(char c, int start)
        {
            for (int i = start; i < Length; i++)
                if (this[i] == c) return i;
            return -1;
        }

        public bool StartsWith(string prefix)
        {
            if (prefix.Length > Length) return false;
            for (int i = 0; i < prefix.Length; i++)
                if (this[i] != prefix[i]) return false;
            return true;
        }

        public static bool Equals(string a, string b)
        {
            if ((object)a == (object)b) return true;
            if (a is null || b is null || a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++)
                if (a[i] != b[i]) return false;
            return true;
        }

        public static bool operator ==(string a, string b) => Equals(a, b);
        public static bool operator !=(string a, string b) => !Equals(a, b);

        public override bool Equals(object obj) => obj is string s && Equals(this, s);

        public override int GetHashCode()
        {
            // FNV-1a: cheap and good enough for kernel tables.
            uint h = 2166136261;
            for (int i = 0; i < Length; i++) h = (h ^ this[i]) * 16777619;
            return (int)h;
        }

        public override string ToString() => this;
    }
}
