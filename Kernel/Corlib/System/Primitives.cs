// The primitive types. Their single field is what C# and ilc treat as the value itself.
namespace System
{
    public struct Void { }

    public struct Boolean
    {
        private bool m_value;
        public override string ToString() => m_value ? "True" : "False";
    }

    public struct Char
    {
        private char m_value;
        public override string ToString() => string.FromChar(m_value);
    }

    public struct SByte { private sbyte m_value; public override string ToString() => Number.Format(m_value); }
    public struct Byte { private byte m_value; public override string ToString() => Number.FormatUnsigned(m_value); }
    public struct Int16 { private short m_value; public override string ToString() => Number.Format(m_value); }
    public struct UInt16 { private ushort m_value; public override string ToString() => Number.FormatUnsigned(m_value); }

    public struct Int32
    {
        private int m_value;
        public const int MaxValue = 0x7fffffff;
        public const int MinValue = unchecked((int)0x80000000);
        public override string ToString() => Number.Format(m_value);
    }

    public struct UInt32
    {
        private uint m_value;
        public const uint MaxValue = 0xffffffff;
        public override string ToString() => Number.FormatUnsigned(m_value);
    }

    public struct Int64
    {
        private long m_value;
        public const long MaxValue = 0x7fffffffffffffff;
        public const long MinValue = unchecked((long)0x8000000000000000);
        public override string ToString() => Number.Format(m_value);
    }

    public struct UInt64
    {
        private ulong m_value;
        public const ulong MaxValue = 0xffffffffffffffff;
        public override string ToString() => Number.FormatUnsigned(m_value);
    }

    public struct Single { private float m_value; }
    public struct Double { private double m_value; }

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

    public struct TypedReference { }
    public struct RuntimeArgumentHandle { }
}
