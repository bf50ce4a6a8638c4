namespace System
{
    /// <safety>An interface; trusted code never calls a SIP's implementation except from the SIP's own
    /// collections, on the SIP's thread.</safety>
    public interface IEquatable<T>
    {
        /// <safety>Abstract: whatever a SIP implements runs in the SIP.</safety>
        bool Equals(T other);
    }

    /// <safety>An interface, as IEquatable.</safety>
    public interface IComparable<T>
    {
        /// <safety>Abstract: whatever a SIP implements runs in the SIP.</safety>
        int CompareTo(T other);
    }

    /// <safety>An interface, as IEquatable.</safety>
    public interface IComparable
    {
        /// <safety>Abstract: whatever a SIP implements runs in the SIP.</safety>
        int CompareTo(object obj);
    }

    /// <safety>A delegate type: calling it runs the target the caller supplied.</safety>
    public delegate int Comparison<T>(T x, T y);

    /// <safety>A delegate type: calling it runs the target the caller supplied.</safety>
    public delegate bool Predicate<T>(T obj);
}
