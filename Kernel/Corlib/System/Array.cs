namespace System
{
    public abstract class Array
    {
        // ilc stores the element count here, right after the MethodTable pointer.
        private int _numComponents;

        public int Length => _numComponents;
    }

    // ilc requires System.Array`1 as the base of single-dimensional arrays' generic view.
    public class Array<T> : Array
    {
    }
}
