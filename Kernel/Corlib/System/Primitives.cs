// The primitive types. Their single field is what C# and ilc treat as the value itself.
namespace System
{
    /// <safety>The empty type of void returns; it has no state.</safety>
    public struct Void { }

    /// <safety>A primitive value: any bit pattern is a value; no member touches memory beyond it.</safety>
    public struct Boolean
    {
        private bool m_value;
        /// <safety>Returns one of two literals (any nonzero byte reads as true).</safety>
        public override string ToString() => m_value ? "True" : "False";
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    public struct Char
    {
        private char m_value;
        /// <safety>A new one-character string.</safety>
        public override string ToString() => string.FromChar(m_value);
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>Formats the value in decimal into a fixed 20-character buffer (enough for any 64-bit value).</allmembers>
    public struct SByte { private sbyte m_value; public override string ToString() => Number.Format(m_value); }
    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>Formats the value in decimal into a fixed 20-character buffer (enough for any 64-bit value).</allmembers>
    public struct Byte { private byte m_value; public override string ToString() => Number.FormatUnsigned(m_value); }
    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>Formats the value in decimal into a fixed 20-character buffer (enough for any 64-bit value).</allmembers>
    public struct Int16 { private short m_value; public override string ToString() => Number.Format(m_value); }
    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>Formats the value in decimal into a fixed 20-character buffer (enough for any 64-bit value).</allmembers>
    public struct UInt16 { private ushort m_value; public override string ToString() => Number.FormatUnsigned(m_value); }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>A constant, or the value formatted in decimal into a fixed 20-character buffer (enough for any 64-bit value).</allmembers>
    public struct Int32
    {
        private int m_value;
        public const int MaxValue = 0x7fffffff;
        public const int MinValue = unchecked((int)0x80000000);
        public override string ToString() => Number.Format(m_value);
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>A constant, or the value formatted in decimal into a fixed 20-character buffer (enough for any 64-bit value).</allmembers>
    public struct UInt32
    {
        private uint m_value;
        public const uint MaxValue = 0xffffffff;
        public override string ToString() => Number.FormatUnsigned(m_value);
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>A constant, or the value formatted in decimal into a fixed 20-character buffer (enough for any 64-bit value).</allmembers>
    public struct Int64
    {
        private long m_value;
        public const long MaxValue = 0x7fffffffffffffff;
        public const long MinValue = unchecked((long)0x8000000000000000);
        public override string ToString() => Number.Format(m_value);
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    /// <allmembers>A constant, or the value formatted in decimal into a fixed 20-character buffer (enough for any 64-bit value).</allmembers>
    public struct UInt64
    {
        private ulong m_value;
        public const ulong MaxValue = 0xffffffffffffffff;
        public override string ToString() => Number.FormatUnsigned(m_value);
    }

    /// <safety>A primitive value: any bit pattern is a value.</safety>
    public struct Single { private float m_value; }
    /// <safety>A primitive value: any bit pattern is a value.</safety>
    public struct Double { private double m_value; }

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
