namespace System
{
    /// <safety>The base of value types, with no state. Its constructor is internal: only the
    /// runtime's own types derive from it (C# forbids it, and the verifier's type checks treat a
    /// struct as a struct).</safety>
    public abstract unsafe class ValueType
    {
        internal ValueType() { }

        // .NET compares a struct without its own Equals field by field through reflection, which
        // this library does not have. Enums (and primitives) compare their value; any other struct
        // must implement IEquatable<T> or override Equals and GetHashCode to be compared or hashed.

        /// <safety>Compares the boxed values' type, then, for an enum or primitive, its 1 to 8 value
        /// bytes; any other struct throws NotSupportedException.</safety>
        /// <unsafe>Compares the two objects' MethodTable pointers (header words the allocator wrote).</unsafe>
        public override bool Equals(object obj)
        {
            if (obj == null || obj.m_pEEType != m_pEEType) return false;
            return ValueBits(this) == ValueBits(obj);
        }

        /// <safety>As Equals: the value bits of an enum or primitive, mixed; NotSupportedException otherwise.</safety>
        public override int GetHashCode()
        {
            long v = ValueBits(this);
            return (int)v ^ (int)(v >> 32);
        }

        /// <unsafe>Reads the value of a box of an enum or primitive type (its MethodTable's element type
        /// says which, and the size): at most 8 bytes right after the MethodTable pointer, which a box of
        /// such a type holds. Any other type throws before reading.</unsafe>
        private static long ValueBits(object box)
        {
            int size;
            switch (box.m_pEEType->ElementType)
            {
                case 0x02: case 0x04: case 0x05: size = 1; break;            // bool, sbyte, byte
                case 0x03: case 0x06: case 0x07: size = 2; break;            // char, short, ushort
                case 0x08: case 0x09: case 0x0E: size = 4; break;            // int, uint, float
                case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x0F: size = 8; break;
                default: throw new NotSupportedException("this struct has no Equals or GetHashCode of its own: implement IEquatable<T> or override them");
            }
            byte* p = *(byte**)System.Runtime.CompilerServices.Unsafe.AsPointer(ref box) + 8;
            switch (size)
            {
                case 1: return *p;
                case 2: return *(ushort*)p;
                case 4: return *(uint*)p;
                default: return *(long*)p;
            }
        }
    }

    /// <safety>The base of enums, with no state; its constructor is internal. Equality and hashing
    /// compare the underlying value (ValueType).</safety>
    public abstract class Enum : ValueType
    {
        internal Enum() { }
    }

    /// <safety>A value and a flag, both read-only after construction; boxing and unboxing it are
    /// refused at run time by the core library (NotSupportedException) until the layout is known.</safety>
    public struct Nullable<T> where T : struct
    {
        // Field names and order are what ilc's boxing and unboxing helpers expect.
        private readonly bool hasValue;
        internal T value;

        /// <safety>Stores the value.</safety>
        public Nullable(T value)
        {
            this.value = value;
            hasValue = true;
        }

        /// <safety>Returns the flag.</safety>
        public readonly bool HasValue => hasValue;

        /// <safety>Returns the value, or throws InvalidOperationException when there is none.</safety>
        public readonly T Value
        {
            get
            {
                if (!hasValue)
                    throw new InvalidOperationException("Nullable object must have a value.");
                return value;
            }
        }

        /// <safety>Returns the value field (default when there is none).</safety>
        public readonly T GetValueOrDefault() => value;

        /// <safety>Wraps a value.</safety>
        public static implicit operator T?(T value) => new T?(value);

        /// <safety>Value, with its check.</safety>
        public static explicit operator T(T? value) => value.Value;
    }
}
