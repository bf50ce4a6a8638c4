using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using Internal.Runtime;

namespace Singularity.Runtime
{
    /// <summary>The allocation entry points ilc's code calls for `new` inside a SIP.</summary>
    /// <unsafe>ilc's generated code calls these with a MethodTable of the image (the type being created)
    /// and, for arrays and strings, the element count the program computed (any int). Sizes are
    /// computed in 64 bits (no wrap: at most 2^31 elements of at most 65535 bytes), refused past 2 GiB
    /// or the SIP's quota (OutOfMemoryException) and when negative (OverflowException); GcHeap
    /// writes the header before anyone else can see the block. AsObject retypes the block's
    /// object address (block + 8) as a reference.</unsafe>
    internal static unsafe class Allocator
    {
        private const int HeaderSize = 8;

        [RuntimeExport("RhpNewFast")]
        public static object NewObject(MethodTable* type) => AsObject(GcHeap.Allocate(type->BaseSize, type, -1));

        [RuntimeExport("RhpNewFinalizable")]
        public static object NewFinalizable(MethodTable* type) => NewObject(type);

        [RuntimeExport("RhpNewArray")]
        public static object NewArray(MethodTable* type, int length)
        {
            if (length < 0) throw new OverflowException("negative array length");
            // At most 2^31 elements of at most 65535 bytes: 64-bit arithmetic cannot wrap.
            ulong size = type->BaseSize + (ulong)length * type->ComponentSize;
            size = (size + 7) & ~7UL;
            if (size > 1UL << 31) throw new OutOfMemoryException("array too large");
            // A request the quota can never hold is the caller's to handle, not a reason to fail the SIP.
            ulong quota = KernelCalls.Info->HeapQuota;
            if (quota != 0 && size > quota) throw new OutOfMemoryException("array larger than this SIP's heap quota");
            return AsObject(GcHeap.Allocate(size, type, length));
        }

        [RuntimeExport("RhpNewArrayFast")]
        public static object NewArrayFast(MethodTable* type, int length) => NewArray(type, length);

        [RuntimeExport("RhpNewPtrArrayFast")]
        public static object NewPtrArrayFast(MethodTable* type, int length) => NewArray(type, length);

        [RuntimeExport("RhNewString")]
        public static object NewString(MethodTable* type, int length) => NewArray(type, length);

        // The reference to the object GcHeap.Allocate initialised in the block (header word first).
        private static object AsObject(byte* block)
        {
            byte* obj = block + HeaderSize;
            return Unsafe.Read<object>(&obj);
        }
    }
}
