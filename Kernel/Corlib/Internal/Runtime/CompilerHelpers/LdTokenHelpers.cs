namespace Internal.Runtime.CompilerHelpers
{
    /// <summary>
    /// ilc's scanner names these for every <c>ldtoken</c> (by method name): without them a method
    /// holding an array initialiser (<c>new int[] { 5, 8, 13 }</c>: ldtoken of the constant data, then
    /// RuntimeHelpers.InitializeArray) does not compile. The JIT expands that pair into a copy of the
    /// data, so these run only for an ldtoken used otherwise; they wrap the pointer in the opaque handle,
    /// which nothing SIP code can reach reads (and the verifier allows ldtoken only of the SIP's own
    /// constant data, SV0108).
    /// </summary>
    internal static class LdTokenHelpers
    {
        private static System.RuntimeTypeHandle GetRuntimeTypeHandle(System.IntPtr pEEType) => new System.RuntimeTypeHandle(pEEType);

        private static System.RuntimeMethodHandle GetRuntimeMethodHandle(System.IntPtr pHandleSignature) => new System.RuntimeMethodHandle(pHandleSignature);

        private static System.RuntimeFieldHandle GetRuntimeFieldHandle(System.IntPtr pHandleSignature) => new System.RuntimeFieldHandle(pHandleSignature);
    }
}
