using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using Internal.Runtime;

namespace Singularity.Kernel.Memory
{
    /// <summary>
    /// The allocation entry points ilc's code calls for `new`. Kernel objects live on the kernel
    /// heap and are not collected; kernel code frees long-lived buffers explicitly.
    /// </summary>
    internal static unsafe class Allocator
    {
        // Object reference = block + 8: the 8-byte header that BaseSize counts comes first.
        private const int HeaderSize = 8;

        [RuntimeExport("RhpNewFast")]
        public static object NewObject(MethodTable* type)
        {
            byte* block = (byte*)KernelHeap.Allocate(type->BaseSize);
            return InitObject(block, type);
        }

        [RuntimeExport("RhpNewFinalizable")]
        public static object NewFinalizable(MethodTable* type) => NewObject(type);

        [RuntimeExport("RhpNewArray")]
        public static object NewArray(MethodTable* type, int length)
        {
            if (length < 0) throw new OverflowException("negative array length");
            ulong size = type->BaseSize + (ulong)length * type->ComponentSize;
            size = (size + 7) & ~7UL;
            if (size > uint.MaxValue) throw new OutOfMemoryException("array too large");
            byte* block = (byte*)KernelHeap.Allocate((uint)size);
            object o = InitObject(block, type);
            *(int*)(block + HeaderSize + sizeof(void*)) = length;
            return o;
        }

        [RuntimeExport("RhpNewArrayFast")]
        public static object NewArrayFast(MethodTable* type, int length) => NewArray(type, length);

        [RuntimeExport("RhpNewPtrArrayFast")]
        public static object NewPtrArrayFast(MethodTable* type, int length) => NewArray(type, length);

        [RuntimeExport("RhNewString")]
        public static object NewString(MethodTable* type, int length) => NewArray(type, length);

        /// <summary>Returns an object's storage to the kernel heap. The caller must hold the only reference.</summary>
        public static void Free(object o)
        {
            if (o == null) return;
            KernelHeap.Free(AddressOf(o) - HeaderSize);
        }

        public static byte* AddressOf(object o) => (byte*)*(void**)Unsafe.AsPointer(ref o);

        private static object InitObject(byte* block, MethodTable* type)
        {
            // KernelHeap returns zeroed memory, so only the MethodTable pointer needs writing.
            byte* obj = block + HeaderSize;
            *(MethodTable**)obj = type;
            return Unsafe.Read<object>(&obj);
        }
    }
}
