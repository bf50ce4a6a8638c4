using System.Runtime.InteropServices;

namespace Internal.Runtime
{
    /// <summary>
    /// The type descriptor ilc 10 emits for every type (the namespace and name are required).
    /// Layout: flags+component size, base size, related type (parent, or element type of an
    /// array), vtable slot count, interface count, hash code; then the vtable, then the
    /// interface list.
    /// </summary>
    /// <unsafe>Every MethodTable is one ilc wrote into the image (read-only for SIP code: no verified
    /// code can form a pointer to it); a MethodTable* is only ever taken from an object's header
    /// word (written by the allocator) or from ilc's generated code and tables. The accessors read
    /// this struct's fields, and InterfaceMap/Vtable compute the addresses ilc lays out right after
    /// it (vtable slots, then the interface list).</unsafe>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct MethodTable
    {
        private uint _uFlags;
        private uint _uBaseSize;
        private MethodTable* _relatedType;
        private ushort _usNumVtableSlots;
        private ushort _usNumInterfaces;
        private uint _uHashCode;

        private const uint KindMask = 0x00030000;
        private const uint KindParameterized = 0x00020000;
        private const uint HasFinalizerFlag = 0x00100000;
        private const uint HasPointersFlag = 0x01000000;
        private const uint ElementTypeMask = 0x7C000000;
        private const int ElementTypeShift = 26;
        private const uint HasComponentSizeFlag = 0x80000000;

        // Element type codes stored in the flags.
        internal const uint ElementTypeValueType = 0x10;
        internal const uint ElementTypeNullable = 0x12;
        internal const uint ElementTypeInterface = 0x15;
        internal const uint ElementTypeArray = 0x17;
        internal const uint ElementTypeSzArray = 0x18;

        public uint BaseSize => _uBaseSize;
        public ushort ComponentSize => HasComponentSize ? (ushort)_uFlags : (ushort)0;
        public bool HasComponentSize => (_uFlags & HasComponentSizeFlag) != 0;
        public bool HasFinalizer => (_uFlags & HasFinalizerFlag) != 0;
        public bool ContainsGCPointers => (_uFlags & HasPointersFlag) != 0;
        public uint ElementType => (_uFlags & ElementTypeMask) >> ElementTypeShift;
        public bool IsParameterized => (_uFlags & KindMask) == KindParameterized;
        public bool IsInterface => ElementType == ElementTypeInterface;
        public bool IsArray => ElementType == ElementTypeArray || ElementType == ElementTypeSzArray;
        public bool IsValueType => ElementType < 0x14 && ElementType != 0;
        public bool IsNullable => ElementType == ElementTypeNullable;
        public ushort NumVtableSlots => _usNumVtableSlots;
        public ushort NumInterfaces => _usNumInterfaces;
        public uint Flags => _uFlags;

        /// <summary>Base class for classes; element type for arrays; underlying T for Nullable.</summary>
        public MethodTable* RelatedType => _relatedType;

        public MethodTable* BaseType => IsArray || IsParameterized ? null : _relatedType;

        public MethodTable* ElementTypeHandle => _relatedType;

        public MethodTable** InterfaceMap
        {
            get
            {
                fixed (MethodTable* self = &this)
                    return (MethodTable**)((byte*)self + sizeof(MethodTable) + _usNumVtableSlots * sizeof(void*));
            }
        }

        public void** Vtable
        {
            get
            {
                fixed (MethodTable* self = &this)
                    return (void**)((byte*)self + sizeof(MethodTable));
            }
        }
    }
}
