using System.Runtime.CompilerServices;
using Internal.Runtime;

namespace System.Runtime
{
    /// <summary>Native symbols this library needs and whoever links it (kernel or SIP runtime) provides.</summary>
    internal static unsafe class RuntimeImports
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "RhpNewFast")]
        internal static extern object RhpNewFast(MethodTable* pEEType);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "RhpNewArray")]
        internal static extern object RhpNewArray(MethodTable* pEEType, int length);
    }
}
