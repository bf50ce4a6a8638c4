namespace System
{
    /// <safety>An opaque handle with a private pointer no reachable member reads or writes; SIP code can only copy it (or get one from ldtoken, which the verifier restricts, SV0108).</safety>
    public struct RuntimeTypeHandle
    {
        private IntPtr _value;

        internal RuntimeTypeHandle(IntPtr value) { _value = value; }
    }

    /// <safety>An opaque handle with a private pointer no reachable member reads or writes; SIP code can only copy it (or get one from ldtoken, which the verifier restricts, SV0108).</safety>
    public struct RuntimeMethodHandle
    {
        private IntPtr _value;

        internal RuntimeMethodHandle(IntPtr value) { _value = value; }
    }

    /// <safety>An opaque handle with a private pointer no reachable member reads or writes; SIP code can only copy it (or get one from ldtoken, which the verifier restricts, SV0108).</safety>
    public struct RuntimeFieldHandle
    {
        private IntPtr _value;

        internal RuntimeFieldHandle(IntPtr value) { _value = value; }
    }

    public abstract class Type
    {
    }

    internal sealed class RuntimeType : Type
    {
    }
}
