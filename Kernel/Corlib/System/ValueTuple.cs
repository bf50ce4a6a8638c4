using System.Collections.Generic;

namespace System
{
    // The types C# tuples compile to. Fields are public and mutable, as in .NET; equality compares
    // the items with their default comparers, so tuples work as dictionary keys.

    /// <safety>Two public fields of the caller's types; equality and hashing call the items' own.</safety>
    /// <allmembers>Reads and compares the items with their types' default equality.</allmembers>
    public struct ValueTuple<T1, T2> : IEquatable<ValueTuple<T1, T2>>
    {
        public T1 Item1;
        public T2 Item2;

        public ValueTuple(T1 item1, T2 item2)
        {
            Item1 = item1;
            Item2 = item2;
        }

        public bool Equals(ValueTuple<T1, T2> other)
            => EqualityComparer<T1>.Default.Equals(Item1, other.Item1) && EqualityComparer<T2>.Default.Equals(Item2, other.Item2);

        public override bool Equals(object obj) => obj is ValueTuple<T1, T2> other && Equals(other);

        public override int GetHashCode()
            => HashCode.Combine(EqualityComparer<T1>.Default.GetHashCode(Item1), EqualityComparer<T2>.Default.GetHashCode(Item2));

        public override string ToString() => string.Concat("(", Item1?.ToString(), ", ", Item2?.ToString()) + ")";
    }

    /// <safety>Three public fields; as ValueTuple of two.</safety>
    /// <allmembers>Reads and compares the items with their types' default equality.</allmembers>
    public struct ValueTuple<T1, T2, T3> : IEquatable<ValueTuple<T1, T2, T3>>
    {
        public T1 Item1;
        public T2 Item2;
        public T3 Item3;

        public ValueTuple(T1 item1, T2 item2, T3 item3)
        {
            Item1 = item1;
            Item2 = item2;
            Item3 = item3;
        }

        public bool Equals(ValueTuple<T1, T2, T3> other)
            => EqualityComparer<T1>.Default.Equals(Item1, other.Item1) && EqualityComparer<T2>.Default.Equals(Item2, other.Item2)
               && EqualityComparer<T3>.Default.Equals(Item3, other.Item3);

        public override bool Equals(object obj) => obj is ValueTuple<T1, T2, T3> other && Equals(other);

        public override int GetHashCode()
            => HashCode.Combine(HashCode.Combine(EqualityComparer<T1>.Default.GetHashCode(Item1), EqualityComparer<T2>.Default.GetHashCode(Item2)),
                                EqualityComparer<T3>.Default.GetHashCode(Item3));

        public override string ToString() => string.Concat("(", Item1?.ToString(), ", ", Item2?.ToString()) + string.Concat(", ", Item3?.ToString(), ")");
    }

    /// <safety>Four public fields; as ValueTuple of two.</safety>
    /// <allmembers>Reads and compares the items with their types' default equality.</allmembers>
    public struct ValueTuple<T1, T2, T3, T4> : IEquatable<ValueTuple<T1, T2, T3, T4>>
    {
        public T1 Item1;
        public T2 Item2;
        public T3 Item3;
        public T4 Item4;

        public ValueTuple(T1 item1, T2 item2, T3 item3, T4 item4)
        {
            Item1 = item1;
            Item2 = item2;
            Item3 = item3;
            Item4 = item4;
        }

        public bool Equals(ValueTuple<T1, T2, T3, T4> other)
            => EqualityComparer<T1>.Default.Equals(Item1, other.Item1) && EqualityComparer<T2>.Default.Equals(Item2, other.Item2)
               && EqualityComparer<T3>.Default.Equals(Item3, other.Item3) && EqualityComparer<T4>.Default.Equals(Item4, other.Item4);

        public override bool Equals(object obj) => obj is ValueTuple<T1, T2, T3, T4> other && Equals(other);

        public override int GetHashCode()
            => HashCode.Combine(HashCode.Combine(EqualityComparer<T1>.Default.GetHashCode(Item1), EqualityComparer<T2>.Default.GetHashCode(Item2)),
                                HashCode.Combine(EqualityComparer<T3>.Default.GetHashCode(Item3), EqualityComparer<T4>.Default.GetHashCode(Item4)));
    }

    /// <safety>Pure arithmetic on two integers.</safety>
    /// <allmembers>Mixes integers with unchecked multiply, rotate and xor.</allmembers>
    public static class HashCode
    {
        public static int Combine(int h1, int h2)
        {
            unchecked
            {
                uint h = (uint)h1 * 0x9E3779B1u;
                h = ((h << 13) | (h >> 19)) ^ (uint)h2;
                return (int)(h * 0x85EBCA77u);
            }
        }
    }
}

namespace System.Runtime.CompilerServices
{
    /// <safety>An attribute: data the C# compiler records for tuple element names.</safety>
    /// <allmembers>Stores the names.</allmembers>
    [AttributeUsage(AttributeTargets.All)]
    public sealed class TupleElementNamesAttribute : Attribute
    {
        private readonly string[] _names;
        public TupleElementNamesAttribute(string[] transformNames) { _names = transformNames; }
    }
}
