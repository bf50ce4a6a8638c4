using System.Runtime.CompilerServices;
using Internal.Runtime;

namespace System.Runtime
{
    /// <summary>Casting helpers that ilc calls for casts it cannot resolve at compile time.</summary>
    /// <unsafe>Every MethodTable* is the image's: target types come from ilc's generated code, source
    /// types from objects' header words (written by the allocator). Walks follow the image's
    /// parent links until null and read NumInterfaces entries of a type's own interface map.
    /// StelemRef and LdelemaRef check the index unsigned against the array's length before
    /// ElementRef forms the element's address (MethodTable pointer and padded length: 16 bytes, then
    /// 8 per reference), StelemRef checks the stored object's type against the element type
    /// (array covariance), and LdelemaRef requires the exact element type, so a reference it returns
    /// cannot store a wrong type.</unsafe>
    internal static unsafe class TypeCast
    {
        private static bool IsSubclassOf(MethodTable* type, MethodTable* target)
        {
            for (MethodTable* t = type; t != null; t = t->BaseType)
                if (t == target) return true;
            return false;
        }

        private static bool ImplementsInterface(MethodTable* type, MethodTable* iface)
        {
            MethodTable** map = type->InterfaceMap;
            for (int i = 0; i < type->NumInterfaces; i++)
                if (map[i] == iface) return true;
            return false;
        }

        /// <summary>Is a value of <paramref name="source"/> type assignable to <paramref name="target"/>?</summary>
        internal static bool AreTypesAssignable(MethodTable* source, MethodTable* target)
        {
            if (source == target) return true;
            if (target->IsInterface) return ImplementsInterface(source, target);
            if (source->IsArray && target->IsArray)
            {
                // Array covariance for reference element types.
                if (source->ElementType != target->ElementType) return false;
                MethodTable* se = source->ElementTypeHandle, te = target->ElementTypeHandle;
                if (se->IsValueType || te->IsValueType) return se == te;
                return AreTypesAssignable(se, te);
            }
            return IsSubclassOf(source, target);
        }

        public static object IsInstanceOfClass(MethodTable* pTargetType, object obj)
        {
            if (obj == null || IsSubclassOf(obj.m_pEEType, pTargetType)) return obj;
            return null;
        }

        public static object IsInstanceOfInterface(MethodTable* pTargetType, object obj)
        {
            if (obj == null || ImplementsInterface(obj.m_pEEType, pTargetType)) return obj;
            return null;
        }

        public static object IsInstanceOfAny(MethodTable* pTargetType, object obj)
        {
            if (obj == null || AreTypesAssignable(obj.m_pEEType, pTargetType)) return obj;
            return null;
        }

        public static bool IsInstanceOfException(MethodTable* pTargetType, object obj)
            => obj != null && IsSubclassOf(obj.m_pEEType, pTargetType);

        public static object CheckCastAny(MethodTable* pTargetType, object obj)
        {
            if (obj == null || AreTypesAssignable(obj.m_pEEType, pTargetType)) return obj;
            throw new InvalidCastException();
        }

        public static object CheckCastInterface(MethodTable* pTargetType, object obj)
        {
            if (obj == null || ImplementsInterface(obj.m_pEEType, pTargetType)) return obj;
            throw new InvalidCastException();
        }

        public static object CheckCastClass(MethodTable* pTargetType, object obj)
        {
            if (obj == null || IsSubclassOf(obj.m_pEEType, pTargetType)) return obj;
            throw new InvalidCastException();
        }

        public static object CheckCastClassSpecial(MethodTable* pTargetType, object obj)
            => CheckCastClass(pTargetType, obj);

        public static void StelemRef(object[] array, nint index, object obj)
        {
            if ((nuint)index >= (nuint)array.Length) throw new IndexOutOfRangeException();
            ref object element = ref ElementRef(array, index);
            if (obj == null) { element = null; return; }
            MethodTable* elementType = array.m_pEEType->ElementTypeHandle;
            if (!AreTypesAssignable(obj.m_pEEType, elementType)) throw new ArrayTypeMismatchException();
            element = obj;
        }

        public static ref object LdelemaRef(object[] array, nint index, MethodTable* elementType)
        {
            if ((nuint)index >= (nuint)array.Length) throw new IndexOutOfRangeException();
            if (array.m_pEEType->ElementTypeHandle != elementType) throw new ArrayTypeMismatchException();
            return ref ElementRef(array, index);
        }

        // An array of references: MethodTable pointer, length (padded to 8), then the elements.
        // (Computed by address: a helper class's fields could be laid out in any order.)
        private static ref object ElementRef(object[] array, nint index)
        {
            byte* a = *(byte**)Unsafe.AsPointer(ref array);
            return ref Unsafe.AsRef<object>(a + 16 + index * 8);
        }
    }
}
