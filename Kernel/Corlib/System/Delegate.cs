namespace System
{
    // Field names are the ones ilc's delegate constructors and invoke stubs use.
    /// <safety>The base of delegates. Its fields are internal; ilc's delegate constructors fill them
    /// from a method the verifier checked against the target (SV0217), and its constructor is
    /// internal, so SIP code cannot make a delegate any other way.</safety>
    public abstract class Delegate
    {
        internal object m_firstParameter;
        internal object m_helperObject;
        internal IntPtr m_extraFunctionPointerOrData;
        internal IntPtr m_functionPointer;

        internal Delegate() { }

        private void InitializeClosedInstance(object firstParameter, IntPtr functionPointer)
        {
            if (firstParameter is null)
                throw new ArgumentException("Delegate to an instance method cannot have null 'this'.");
            m_functionPointer = functionPointer;
            m_firstParameter = firstParameter;
        }

        private void InitializeClosedStaticThunk(object firstParameter, IntPtr functionPointer, IntPtr functionPointerThunk)
        {
            m_extraFunctionPointerOrData = functionPointer;
            m_helperObject = firstParameter;
            m_functionPointer = functionPointerThunk;
            m_firstParameter = this;
        }

        private void InitializeOpenStaticThunk(object firstParameter, IntPtr functionPointer, IntPtr functionPointerThunk)
        {
            m_firstParameter = this;
            m_functionPointer = functionPointerThunk;
            m_extraFunctionPointerOrData = functionPointer;
        }

        private void InitializeOpenInstanceThunk(object firstParameter, IntPtr functionPointer, IntPtr functionPointerThunk)
        {
            m_firstParameter = this;
            m_functionPointer = functionPointerThunk;
            m_extraFunctionPointerOrData = functionPointer;
        }
    }

    /// <safety>As Delegate; its constructor is internal.</safety>
    public abstract class MulticastDelegate : Delegate
    {
        internal MulticastDelegate() { }
    }

    /// <safety>A delegate type: made only by ilc's verified delegate construction, invoked through ilc's stub.</safety>
    public delegate void Action();
    /// <safety>A delegate type, as Action.</safety>
    public delegate void Action<T>(T arg);
    /// <safety>A delegate type, as Action.</safety>
    public delegate void Action<T1, T2>(T1 arg1, T2 arg2);
    /// <safety>A delegate type, as Action.</safety>
    public delegate TResult Func<TResult>();
    /// <safety>A delegate type, as Action.</safety>
    public delegate TResult Func<T, TResult>(T arg);
    /// <safety>A delegate type, as Action.</safety>
    public delegate TResult Func<T1, T2, TResult>(T1 arg1, T2 arg2);
}
