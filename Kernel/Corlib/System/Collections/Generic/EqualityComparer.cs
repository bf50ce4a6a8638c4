using System.Runtime.CompilerServices;

namespace System.Collections.Generic
{
    /// <summary>
    /// The default equality of a type, as collections use it. ilc replaces the body of Create for
    /// every exactly known T (value types, string, enums, nullables) with `new` of the comparer its
    /// ComparerIntrinsics choose from the types below (their names are what it looks for); shared
    /// code over reference types runs the body, which compares with the virtual Equals.
    /// </summary>
    /// <safety>An abstract class with no state; the comparers below call only the compared values' own
    /// Equals and GetHashCode (a SIP's overrides run in the SIP).</safety>
    public abstract class EqualityComparer<T> : IEqualityComparer<T>
    {
        /// <safety>Does nothing.</safety>
        protected EqualityComparer() { }

        // No cached static: the core library has no lazy class constructors for generic types,
        // so each call makes a new comparer (collections keep the one they get).
        /// <safety>A new comparer with no state.</safety>
        public static EqualityComparer<T> Default => Create();

        [Intrinsic]
        private static EqualityComparer<T> Create()
        {
            // Never taken (thread ids are positive), but ilc's scanner cannot know: its code generator
            // may choose StringEqualityComparer for string, and the scanner must have seen that type
            // made and used (a constant condition would be folded away before the scanner looks).
            if (Environment.CurrentManagedThreadId == int.MinValue)
            {
                EqualityComparer<string> c = new StringEqualityComparer();
                if (c.Equals("", "") && c.GetHashCode("") == 0) return (EqualityComparer<T>)(object)c;
            }
            return new ObjectEqualityComparer<T>();
        }


        /// <safety>Abstract.</safety>
        public abstract bool Equals(T x, T y);
        /// <safety>Abstract.</safety>
        public abstract int GetHashCode(T obj);
    }

    /// <safety>No state; calls T's own Equals(T) and GetHashCode.</safety>
    /// <allmembers>Null checks, then the value's own IEquatable Equals or GetHashCode.</allmembers>
    internal sealed class GenericEqualityComparer<T> : EqualityComparer<T> where T : IEquatable<T>
    {
        public override bool Equals(T x, T y)
        {
            if (x == null) return y == null;
            return y != null && x.Equals(y);
        }

        public override int GetHashCode(T obj) => obj == null ? 0 : obj.GetHashCode();
    }

    /// <safety>No state; calls Object.Equals and GetHashCode, which the value's type may override.</safety>
    internal sealed class ObjectEqualityComparer<T> : EqualityComparer<T>
    {
        public override bool Equals(T x, T y)
        {
            if (x == null) return y == null;
            return y != null && x.Equals((object)y);
        }

        public override int GetHashCode(T obj) => obj == null ? 0 : obj.GetHashCode();
    }

    /// <safety>No state; compares strings by their characters.</safety>
    internal sealed class StringEqualityComparer : EqualityComparer<string>
    {
        public override bool Equals(string x, string y) => string.Equals(x, y);
        public override int GetHashCode(string obj) => obj == null ? 0 : obj.GetHashCode();
    }

    /// <safety>No state; compares the flag, then the values with T's default comparer.</safety>
    internal sealed class NullableEqualityComparer<T> : EqualityComparer<T?> where T : struct
    {
        public override bool Equals(T? x, T? y)
        {
            if (!x.HasValue) return !y.HasValue;
            return y.HasValue && EqualityComparer<T>.Default.Equals(x.GetValueOrDefault(), y.GetValueOrDefault());
        }

        public override int GetHashCode(T? obj) => obj.HasValue ? obj.GetValueOrDefault().GetHashCode() : 0;
    }

    /// <summary>Enums compared by their underlying integer, without boxing.</summary>
    /// <safety>No state. ilc instantiates it only over enum types, whose size is that of their
    /// underlying integer (1, 2, 4 or 8 bytes).</safety>
    /// <unsafe>Reinterprets a local copy of the enum value as the integer of the same size, chosen by
    /// Unsafe.SizeOf: the read never exceeds the value.</unsafe>
    internal sealed class EnumEqualityComparer<T> : EqualityComparer<T> where T : struct
    {
        public override bool Equals(T x, T y) => Bits(ref x) == Bits(ref y);

        public override int GetHashCode(T obj)
        {
            long v = Bits(ref obj);
            return (int)v ^ (int)(v >> 32);
        }

        private static long Bits(ref T value)
        {
            switch (Unsafe.SizeOf<T>())
            {
                case 1: return Unsafe.As<T, byte>(ref value);
                case 2: return Unsafe.As<T, ushort>(ref value);
                case 4: return Unsafe.As<T, int>(ref value);
                default: return Unsafe.As<T, long>(ref value);
            }
        }
    }
}
