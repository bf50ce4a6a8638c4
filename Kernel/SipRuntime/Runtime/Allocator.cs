using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using Internal.Runtime;

namespace Singularity.Runtime
{
    /// <summary>The allocation entry points ilc's code calls for `new` inside a SIP.</summary>
    internal static unsafe class Allocator
    {
        private const int HeaderSize = 8;

        [RuntimeExport("RhpNewFast")]
        public static object NewObject(MethodTable* type) => Init(GcHeap.Allocate(type->BaseSize), type);

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
            byte* block = GcHeap.Allocate(size);
            object o = Init(block, type);
            *(int*)(block + HeaderSize + sizeof(void*)) = length;
            return o;
        }

        [RuntimeExport("RhpNewArrayFast")]
        public static object NewArrayFast(MethodTable* type, int length) => NewArray(type, length);

        [RuntimeExport("RhpNewPtrArrayFast")]
        public static object NewPtrArrayFast(MethodTable* type, int length) => NewArray(type, length);

        [RuntimeExport("RhNewString")]
        public static object NewString(MethodTable* type, int length) => NewArray(type, length);

        private static object Init(byte* block, MethodTable* type)
        {
            byte* obj = block + HeaderSize;
            *(MethodTable**)obj = type;
            return Unsafe.Read<object>(&obj);
        }
    }
}
