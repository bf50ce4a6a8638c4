// The primitive types. Their single field is what C# and ilc treat as the value itself.
namespace System
{
    /// <safety>The empty type of void returns; it has no state.</safety>
    public struct Void { }

    /// <safety>A primitive value: any bit pattern is a value; no member touches memory beyond it.</safety>
    /// <allmembers>Formatting to one of two literals (any nonzero byte reads as true); equality, comparison and hashing of the value.</allmembers>
    public struct Boolean : IEquatable<bool>, IComparable<bool>
    {
        private bool m_value;
        public override string ToString() => m_value ? "True" : "False";
        public bool Equals(bool other) => m_value == other;
        public override bool Equals(object obj) => obj is bool other && m_value == other;
        public override int GetHashCode() => m_value ? 1 : 0;
        public int CompareTo(bool other) => m_value == other ? 0 : m_value ? 1 : -1;
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>A new one-character string; equality, comparison and hashing of the value; character classes by range.</allmembers>
    public struct Char : IEquatable<char>, IComparable<char>
    {
        private char m_value;
        public const char MaxValue = (char)0xFFFF;
        public const char MinValue = (char)0;
        public override string ToString() => string.FromChar(m_value);
        public bool Equals(char other) => m_value == other;
        public override bool Equals(object obj) => obj is char other && m_value == other;
        public override int GetHashCode() => m_value | (m_value << 16);
        public int CompareTo(char other) => m_value - other;
        public static bool IsDigit(char c) => c >= '0' && c <= '9';
        public static bool IsLetter(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        public static bool IsLetterOrDigit(char c) => IsLetter(c) || IsDigit(c);
        public static bool IsWhiteSpace(char c) => c == ' ' || (c >= '\t' && c <= '\r');
        public static bool IsUpper(char c) => c >= 'A' && c <= 'Z';
        public static bool IsLower(char c) => c >= 'a' && c <= 'z';
        public static char ToUpper(char c) => IsLower(c) ? (char)(c - 32) : c;
        public static char ToLower(char c) => IsUpper(c) ? (char)(c + 32) : c;
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>Constants; comparison, equality and hashing of the value; formatting into a fixed 20-character buffer (enough for any 64-bit value); parsing that reads the string's characters by index, accumulates with checked bounds and refuses anything but an optional sign and decimal digits (FormatException).</allmembers>
    public struct SByte : IEquatable<sbyte>, IComparable<sbyte>, IComparable
    {
        private sbyte m_value;
        public const sbyte MaxValue = 127;
        public const sbyte MinValue = -128;
        public override string ToString() => Number.Format(m_value);
        public bool Equals(sbyte other) => m_value == other;
        public override bool Equals(object obj) => obj is sbyte other && m_value == other;
        public override int GetHashCode() => m_value;
        public int CompareTo(sbyte other) => m_value < other ? -1 : m_value > other ? 1 : 0;
        public int CompareTo(object obj) => obj == null ? 1 : obj is sbyte other ? CompareTo(other) : throw new ArgumentException("not a SByte");
        public static sbyte Parse(string s) => TryParse(s, out sbyte v) ? v : throw new FormatException("not a SByte in range: '" + s + "'");
        public static bool TryParse(string s, out sbyte result)
        {
            bool ok = Number.TryParse(s, out long v);
            result = unchecked((sbyte)v);
            return ok && v >= sbyte.MinValue && v <= sbyte.MaxValue;
        }
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>Constants; comparison, equality and hashing of the value; formatting into a fixed 20-character buffer (enough for any 64-bit value); parsing that reads the string's characters by index, accumulates with checked bounds and refuses anything but an optional sign and decimal digits (FormatException).</allmembers>
    public struct Byte : IEquatable<byte>, IComparable<byte>, IComparable
    {
        private byte m_value;
        public const byte MaxValue = 255;
        public const byte MinValue = 0;
        public override string ToString() => Number.FormatUnsigned(m_value);
        public bool Equals(byte other) => m_value == other;
        public override bool Equals(object obj) => obj is byte other && m_value == other;
        public override int GetHashCode() => m_value;
        public int CompareTo(byte other) => m_value < other ? -1 : m_value > other ? 1 : 0;
        public int CompareTo(object obj) => obj == null ? 1 : obj is byte other ? CompareTo(other) : throw new ArgumentException("not a Byte");
        public static byte Parse(string s) => TryParse(s, out byte v) ? v : throw new FormatException("not a Byte in range: '" + s + "'");
        public static bool TryParse(string s, out byte result)
        {
            bool ok = Number.TryParseUnsigned(s, out ulong v);
            result = unchecked((byte)v);
            return ok && v >= byte.MinValue && v <= byte.MaxValue;
        }
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>Constants; comparison, equality and hashing of the value; formatting into a fixed 20-character buffer (enough for any 64-bit value); parsing that reads the string's characters by index, accumulates with checked bounds and refuses anything but an optional sign and decimal digits (FormatException).</allmembers>
    public struct Int16 : IEquatable<short>, IComparable<short>, IComparable
    {
        private short m_value;
        public const short MaxValue = 32767;
        public const short MinValue = -32768;
        public override string ToString() => Number.Format(m_value);
        public bool Equals(short other) => m_value == other;
        public override bool Equals(object obj) => obj is short other && m_value == other;
        public override int GetHashCode() => m_value;
        public int CompareTo(short other) => m_value < other ? -1 : m_value > other ? 1 : 0;
        public int CompareTo(object obj) => obj == null ? 1 : obj is short other ? CompareTo(other) : throw new ArgumentException("not a Int16");
        public static short Parse(string s) => TryParse(s, out short v) ? v : throw new FormatException("not a Int16 in range: '" + s + "'");
        public static bool TryParse(string s, out short result)
        {
            bool ok = Number.TryParse(s, out long v);
            result = unchecked((short)v);
            return ok && v >= short.MinValue && v <= short.MaxValue;
        }
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>Constants; comparison, equality and hashing of the value; formatting into a fixed 20-character buffer (enough for any 64-bit value); parsing that reads the string's characters by index, accumulates with checked bounds and refuses anything but an optional sign and decimal digits (FormatException).</allmembers>
    public struct UInt16 : IEquatable<ushort>, IComparable<ushort>, IComparable
    {
        private ushort m_value;
        public const ushort MaxValue = 65535;
        public const ushort MinValue = 0;
        public override string ToString() => Number.FormatUnsigned(m_value);
        public bool Equals(ushort other) => m_value == other;
        public override bool Equals(object obj) => obj is ushort other && m_value == other;
        public override int GetHashCode() => m_value;
        public int CompareTo(ushort other) => m_value < other ? -1 : m_value > other ? 1 : 0;
        public int CompareTo(object obj) => obj == null ? 1 : obj is ushort other ? CompareTo(other) : throw new ArgumentException("not a UInt16");
        public static ushort Parse(string s) => TryParse(s, out ushort v) ? v : throw new FormatException("not a UInt16 in range: '" + s + "'");
        public static bool TryParse(string s, out ushort result)
        {
            bool ok = Number.TryParseUnsigned(s, out ulong v);
            result = unchecked((ushort)v);
            return ok && v >= ushort.MinValue && v <= ushort.MaxValue;
        }
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>Constants; comparison, equality and hashing of the value; formatting into a fixed 20-character buffer (enough for any 64-bit value); parsing that reads the string's characters by index, accumulates with checked bounds and refuses anything but an optional sign and decimal digits (FormatException).</allmembers>
    public struct Int32 : IEquatable<int>, IComparable<int>, IComparable
    {
        private int m_value;
        public const int MaxValue = 0x7fffffff;
        public const int MinValue = unchecked((int)0x80000000);
        public override string ToString() => Number.Format(m_value);
        public bool Equals(int other) => m_value == other;
        public override bool Equals(object obj) => obj is int other && m_value == other;
        public override int GetHashCode() => m_value;
        public int CompareTo(int other) => m_value < other ? -1 : m_value > other ? 1 : 0;
        public int CompareTo(object obj) => obj == null ? 1 : obj is int other ? CompareTo(other) : throw new ArgumentException("not a Int32");
        public static int Parse(string s) => TryParse(s, out int v) ? v : throw new FormatException("not a Int32 in range: '" + s + "'");
        public static bool TryParse(string s, out int result)
        {
            bool ok = Number.TryParse(s, out long v);
            result = unchecked((int)v);
            return ok && v >= int.MinValue && v <= int.MaxValue;
        }
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>Constants; comparison, equality and hashing of the value; formatting into a fixed 20-character buffer (enough for any 64-bit value); parsing that reads the string's characters by index, accumulates with checked bounds and refuses anything but an optional sign and decimal digits (FormatException).</allmembers>
    public struct UInt32 : IEquatable<uint>, IComparable<uint>, IComparable
    {
        private uint m_value;
        public const uint MaxValue = 0xffffffff;
        public const uint MinValue = 0;
        public override string ToString() => Number.FormatUnsigned(m_value);
        public bool Equals(uint other) => m_value == other;
        public override bool Equals(object obj) => obj is uint other && m_value == other;
        public override int GetHashCode() => (int)m_value;
        public int CompareTo(uint other) => m_value < other ? -1 : m_value > other ? 1 : 0;
        public int CompareTo(object obj) => obj == null ? 1 : obj is uint other ? CompareTo(other) : throw new ArgumentException("not a UInt32");
        public static uint Parse(string s) => TryParse(s, out uint v) ? v : throw new FormatException("not a UInt32 in range: '" + s + "'");
        public static bool TryParse(string s, out uint result)
        {
            bool ok = Number.TryParseUnsigned(s, out ulong v);
            result = unchecked((uint)v);
            return ok && v >= uint.MinValue && v <= uint.MaxValue;
        }
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>Constants; comparison, equality and hashing of the value; formatting into a fixed 20-character buffer (enough for any 64-bit value); parsing that reads the string's characters by index, accumulates with checked bounds and refuses anything but an optional sign and decimal digits (FormatException).</allmembers>
    public struct Int64 : IEquatable<long>, IComparable<long>, IComparable
    {
        private long m_value;
        public const long MaxValue = 0x7fffffffffffffff;
        public const long MinValue = unchecked((long)0x8000000000000000);
        public override string ToString() => Number.Format(m_value);
        public bool Equals(long other) => m_value == other;
        public override bool Equals(object obj) => obj is long other && m_value == other;
        public override int GetHashCode() => (int)m_value ^ (int)(m_value >> 32);
        public int CompareTo(long other) => m_value < other ? -1 : m_value > other ? 1 : 0;
        public int CompareTo(object obj) => obj == null ? 1 : obj is long other ? CompareTo(other) : throw new ArgumentException("not a Int64");
        public static long Parse(string s) => TryParse(s, out long v) ? v : throw new FormatException("not a Int64 in range: '" + s + "'");
        public static bool TryParse(string s, out long result)
        {
            bool ok = Number.TryParse(s, out long v);
            result = unchecked((long)v);
            return ok && v >= long.MinValue && v <= long.MaxValue;
        }
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>Constants; comparison, equality and hashing of the value; formatting into a fixed 20-character buffer (enough for any 64-bit value); parsing that reads the string's characters by index, accumulates with checked bounds and refuses anything but an optional sign and decimal digits (FormatException).</allmembers>
    public struct UInt64 : IEquatable<ulong>, IComparable<ulong>, IComparable
    {
        private ulong m_value;
        public const ulong MaxValue = 0xffffffffffffffff;
        public const ulong MinValue = 0;
        public override string ToString() => Number.FormatUnsigned(m_value);
        public bool Equals(ulong other) => m_value == other;
        public override bool Equals(object obj) => obj is ulong other && m_value == other;
        public override int GetHashCode() => (int)m_value ^ (int)(m_value >> 32);
        public int CompareTo(ulong other) => m_value < other ? -1 : m_value > other ? 1 : 0;
        public int CompareTo(object obj) => obj == null ? 1 : obj is ulong other ? CompareTo(other) : throw new ArgumentException("not a UInt64");
        public static ulong Parse(string s) => TryParse(s, out ulong v) ? v : throw new FormatException("not a UInt64 in range: '" + s + "'");
        public static bool TryParse(string s, out ulong result)
        {
            bool ok = Number.TryParseUnsigned(s, out ulong v);
            result = unchecked((ulong)v);
            return ok && v >= ulong.MinValue && v <= ulong.MaxValue;
        }
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>Equality (IEEE: NaN equals itself here, as in .NET's Equals) and hashing of the bits.</allmembers>
#pragma warning disable CS1718 // x != x is the NaN test
    public unsafe struct Single : IEquatable<float>
    {
        private float m_value;
        public bool Equals(float other) => m_value == other || (m_value != m_value && other != other);
        public override bool Equals(object obj) => obj is float other && Equals(other);
        public override int GetHashCode() { float v = m_value == 0 ? 0 : m_value; return *(int*)&v; }
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>Equality (IEEE: NaN equals itself here, as in .NET's Equals) and hashing of the bits.</allmembers>
    public unsafe struct Double : IEquatable<double>
    {
        private double m_value;
        public bool Equals(double other) => m_value == other || (m_value != m_value && other != other);
        public override bool Equals(object obj) => obj is double other && Equals(other);
        public override int GetHashCode() { double v = m_value == 0 ? 0 : m_value; long b = *(long*)&v; return (int)b ^ (int)(b >> 32); }
    }
#pragma warning restore CS1718

    /// <safety>A native-sized integer. SIP code can make one from any number, but can never use it
    /// as an address: the conversions to and from pointers have pointer types (SV0101), and no
    /// reachable trusted member takes an IntPtr as an address.</safety>
    /// <allmembers>Integer arithmetic on the value (construct, convert, compare, hash); no memory is touched.</allmembers>
    /// <unsafe>The field is a void* only so that ilc treats the struct as native int; every member uses it
    /// as an integer (stored, compared, converted, hashed) and none dereferences it.</unsafe>
    public unsafe struct IntPtr
    {
        private void* _value;
        public static readonly IntPtr Zero;
        public IntPtr(void* value) { _value = value; }
        public IntPtr(long value) { _value = (void*)value; }
        public static explicit operator IntPtr(long value) => new IntPtr(value);
        public static explicit operator IntPtr(void* value) => new IntPtr(value);
        public static explicit operator void*(IntPtr value) => value._value;
        public static explicit operator long(IntPtr value) => (long)value._value;
        public static bool operator ==(IntPtr a, IntPtr b) => a._value == b._value;
        public static bool operator !=(IntPtr a, IntPtr b) => a._value != b._value;
        public override bool Equals(object obj) => obj is IntPtr other && other._value == _value;
        public override int GetHashCode() => (int)(long)_value;
    }

    /// <safety>A native-sized unsigned integer; as IntPtr, never usable as an address by SIP code.</safety>
    /// <allmembers>Integer arithmetic on the value (construct, convert, compare, hash); no memory is touched.</allmembers>
    /// <unsafe>As IntPtr: the void* field is only an integer here, never dereferenced.</unsafe>
    public unsafe struct UIntPtr
    {
        private void* _value;
        public UIntPtr(void* value) { _value = value; }
        public UIntPtr(ulong value) { _value = (void*)value; }
        public static explicit operator UIntPtr(ulong value) => new UIntPtr(value);
        public static explicit operator ulong(UIntPtr value) => (ulong)value._value;
        public static bool operator ==(UIntPtr a, UIntPtr b) => a._value == b._value;
        public static bool operator !=(UIntPtr a, UIntPtr b) => a._value != b._value;
        public override bool Equals(object obj) => obj is UIntPtr other && other._value == _value;
        public override int GetHashCode() => (int)(ulong)_value;
    }

    /// <safety>An empty placeholder ilc requires; the opcodes that make typed references are refused by the verifier (SV0102).</safety>
    public struct TypedReference { }
    /// <safety>An empty placeholder ilc requires; varargs are refused by the verifier (SV0102).</safety>
    public struct RuntimeArgumentHandle { }
}
