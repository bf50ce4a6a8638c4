namespace System.Collections
{
    /// <safety>An interface (what `foreach` and iterators need); implementations run in whoever wrote them.</safety>
    public interface IEnumerable
    {
        /// <safety>Abstract.</safety>
        IEnumerator GetEnumerator();
    }

    /// <safety>An interface, as IEnumerable.</safety>
    public interface IEnumerator
    {
        /// <safety>Abstract.</safety>
        bool MoveNext();
        /// <safety>Abstract.</safety>
        object Current { get; }
        /// <safety>Abstract.</safety>
        void Reset();
    }
}
