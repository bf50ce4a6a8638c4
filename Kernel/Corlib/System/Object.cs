namespace System
{
    /// <safety>The root of all classes; its only field (the MethodTable pointer) is internal and
    /// written by the allocator alone.</safety>
    public unsafe class Object
    {
        // ilc's object layout: the first field of every object is its MethodTable pointer,
        // preceded in memory by an 8-byte header that BaseSize already counts.
        internal Internal.Runtime.MethodTable* m_pMethodTable;

        /// <safety>Does nothing.</safety>
        public Object() { }

        /// <safety>Compares two references; trusted code that calls it on SIP objects (string
        /// comparisons only, in the runtime) must expect the SIP's override.</safety>
        public virtual bool Equals(object obj) => (object)this == obj;

        /// <safety>Compares two references.</safety>
        public static bool ReferenceEquals(object a, object b) => a == b;

        /// <safety>Returns 0 (objects do not carry a hash); a SIP's override runs only in the SIP.</safety>
        public virtual int GetHashCode() => 0;

        /// <safety>Returns a literal. Trusted code that formats a SIP object (string.Concat(object, object))
        /// runs the SIP's override on the SIP's own thread, with the SIP's authority only.</safety>
        public virtual string ToString() => "System.Object";

        /// <unsafe>Returns the header word the allocator wrote (a MethodTable of the image).</unsafe>
        internal Internal.Runtime.MethodTable* GetMethodTable() => m_pMethodTable;
    }
}
