namespace System.Collections.Generic
{
    // No variance (`out T`) on these interfaces: the core library casts and dispatches on exact
    // interface types only, so C# and the verifier must refuse IEnumerable<string> as IEnumerable<object>.
    /// <safety>An interface (what `foreach` over a sequence and iterators need); implementations run in whoever wrote them.</safety>
    public interface IEnumerable<T> : IEnumerable
    {
        /// <safety>Abstract.</safety>
        new IEnumerator<T> GetEnumerator();
    }

    /// <safety>An interface, as IEnumerable.</safety>
    public interface IEnumerator<T> : IEnumerator, IDisposable
    {
        /// <safety>Abstract.</safety>
        new T Current { get; }
    }

    /// <safety>An interface, as IEnumerable.</safety>
    public interface IReadOnlyCollection<T> : IEnumerable<T>
    {
        /// <safety>Abstract.</safety>
        int Count { get; }
    }

    /// <safety>An interface, as IEnumerable.</safety>
    public interface IReadOnlyList<T> : IReadOnlyCollection<T>
    {
        /// <safety>Abstract.</safety>
        T this[int index] { get; }
    }

    /// <safety>An interface; a comparer a SIP supplies runs in the SIP.</safety>
    public interface IEqualityComparer<T>
    {
        /// <safety>Abstract.</safety>
        bool Equals(T x, T y);
        /// <safety>Abstract.</safety>
        int GetHashCode(T obj);
    }

    /// <safety>An interface; a comparer a SIP supplies runs in the SIP.</safety>
    public interface IComparer<T>
    {
        /// <safety>Abstract.</safety>
        int Compare(T x, T y);
    }
}
