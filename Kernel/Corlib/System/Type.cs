namespace System
{
    /// <safety>An opaque handle with a private pointer no reachable member reads or writes; SIP code can only copy it (or get one from ldtoken, which the verifier restricts, SV0108).</safety>
    public struct RuntimeTypeHandle
    {
        private IntPtr _value;
    }

    /// <safety>An opaque handle with a private pointer no reachable member reads or writes; SIP code can only copy it (or get one from ldtoken, which the verifier restricts, SV0108).</safety>
    public struct RuntimeMethodHandle
    {
        private IntPtr _value;
    }

    /// <safety>An opaque handle with a private pointer no reachable member reads or writes; SIP code can only copy it (or get one from ldtoken, which the verifier restricts, SV0108).</safety>
    public struct RuntimeFieldHandle
    {
        private IntPtr _value;
    }

    public abstract class Type
    {
    }

    internal sealed class RuntimeType : Type
    {
    }
}
