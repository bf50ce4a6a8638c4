namespace System
{
    /// <safety>The base of arrays. Element access is compiled by ilc with a bounds check against
    /// the length the allocator wrote; no member here touches elements. The constructor is internal,
    /// so SIP code cannot make an Array that is not an array.</safety>
    public abstract class Array
    {
        // ilc stores the element count here, right after the MethodTable pointer.
        private int _numComponents;

        internal Array() { }

        /// <safety>Returns the element count the allocator wrote, which never changes.</safety>
        public int Length => _numComponents;
    }

    // ilc requires System.Array`1 as the base of single-dimensional arrays' generic view (it
    // finds it by name). Internal: SIP code has no use for it, and `new Array<T>()` would make an
    // object that is an Array but not an array.
    internal class Array<T> : Array
    {
        internal Array() { }
    }
}
