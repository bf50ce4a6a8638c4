namespace System
{
    /// <safety>The root of all classes; its only field (the MethodTable pointer) is internal and
    /// written by the allocator alone.</safety>
    public unsafe class Object
    {
        // ilc's object layout: the first field of every object is its MethodTable pointer,
        // preceded in memory by an 8-byte header that BaseSize already counts. ilc finds it by this
        // name (unboxing thunks of shared generic structs read it).
        internal Internal.Runtime.MethodTable* m_pEEType;

        /// <safety>Does nothing.</safety>
        public Object() { }

        /// <safety>Compares two references; trusted code that calls it on SIP objects (string
        /// comparisons only, in the runtime) must expect the SIP's override.</safety>
        public virtual bool Equals(object obj) => (object)this == obj;

        /// <safety>Compares two references.</safety>
        public static bool ReferenceEquals(object a, object b) => a == b;

        /// <safety>The object's identity hash: its address, mixed (objects never move: both heaps are
        /// mark-sweep), so distinct live objects spread over a hash table. The mix is invertible, so a
        /// SIP learns where its own objects are, which no verified code can use (it has no pointers).
        /// A SIP's override runs only in the SIP.</safety>
        /// <unsafe>Takes the address of this object's reference (Unsafe.AsPointer on a local) only as a number.</unsafe>
        public virtual int GetHashCode()
        {
            object self = this;
            ulong a = (ulong)*(void**)System.Runtime.CompilerServices.Unsafe.AsPointer(ref self);
            a = unchecked((a >> 4) * 0x9E3779B97F4A7C15UL);
            return (int)(a >> 32);
        }

        /// <safety>Returns a literal. Trusted code that formats a SIP object (string.Concat(object, object))
        /// runs the SIP's override on the SIP's own thread, with the SIP's authority only.</safety>
        public virtual string ToString() => "System.Object";

        /// <unsafe>Returns the header word the allocator wrote (a MethodTable of the image).</unsafe>
        internal Internal.Runtime.MethodTable* GetMethodTable() => m_pEEType;
    }
}
