using System.Runtime.CompilerServices;
using Internal.Runtime;

namespace System.Runtime
{
    /// <summary>Boxing helpers ilc calls by name.</summary>
    internal static unsafe class RuntimeExports
    {
        /// <unsafe>ilc passes the value type's MethodTable and a reference to a value of exactly that type;
        /// copies BaseSize - 16 bytes, the size of that value, into a new object allocated with the same
        /// MethodTable. Nullable is refused (its layout is not read here).</unsafe>
        public static object RhBox(MethodTable* pEEType, ref byte data)
        {
            // The offset of Nullable<T>.value is not recorded in the MethodTable we read, and
            // guessing it would silently corrupt values: refuse until the runtime learns it.
            if (pEEType->IsNullable)
                throw new NotSupportedException("boxing Nullable<T> is not supported yet");
            object result = RuntimeImports.RhpNewFast(pEEType);
            int size = (int)pEEType->BaseSize - 2 * sizeof(void*);
            byte* dst = (byte*)*(void**)Unsafe.AsPointer(ref result) + sizeof(void*);
            byte* src = (byte*)Unsafe.AsPointer(ref data);
            for (int i = 0; i < size; i++) dst[i] = src[i];
            return result;
        }

        /// <unsafe>Returns a reference to the data of a box only after an exact MethodTable match (null is
        /// NullReferenceException), so the reference has the type the caller reads.</unsafe>
        public static ref byte RhUnbox2(MethodTable* pUnboxToEEType, object obj)
        {
            if (obj == null) throw new NullReferenceException();
            if (obj.m_pEEType != pUnboxToEEType) throw new InvalidCastException();
            return ref Unsafe.AddByteOffset(ref Unsafe.As<RawData>(obj).Data, 0);
        }

        /// <unsafe>Throws; touches nothing.</unsafe>
        public static void RhUnboxNullable(ref byte data, MethodTable* pUnboxToEEType, object obj)
        {
            throw new NotSupportedException("unboxing to Nullable<T> is not supported yet");
        }

        /// <unsafe>Compares two MethodTable pointers.</unsafe>
        public static void RhUnboxTypeTest(MethodTable* pType, MethodTable* pBoxType)
        {
            if (pType != pBoxType) throw new InvalidCastException();
        }
    }
}
