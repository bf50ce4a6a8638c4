using System.Runtime.CompilerServices;
using Internal.Runtime;

namespace System.Runtime
{
    /// <summary>Native symbols this library needs and whoever links it (kernel or SIP runtime) provides.</summary>
    /// <unsafe>Allocation entry points of whoever links the library (the SIP runtime's Allocator, or the
    /// kernel's), which check sizes and write only the new object; the MethodTable passed is the
    /// image's (from ilc or an existing object's header).</unsafe>
    internal static unsafe class RuntimeImports
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "RhpNewFast")]
        internal static extern object RhpNewFast(MethodTable* pEEType);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "RhpNewArray")]
        internal static extern object RhpNewArray(MethodTable* pEEType, int length);
    }
}
