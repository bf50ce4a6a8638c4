using System.Runtime.CompilerServices;
using Internal.Runtime;

namespace System.Runtime
{
    /// <summary>Native symbols this library needs and whoever links it (kernel or SIP runtime) provides.</summary>
    public static unsafe class RuntimeImports
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "RhpNewFast")]
        public static extern object RhpNewFast(MethodTable* pEEType);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "RhpNewArray")]
        public static extern object RhpNewArray(MethodTable* pEEType, int length);
    }
}
