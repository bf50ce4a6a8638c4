namespace System
{
    public unsafe class Object
    {
        // ilc's object layout: the first field of every object is its MethodTable pointer,
        // preceded in memory by an 8-byte header that BaseSize already counts.
        internal Internal.Runtime.MethodTable* m_pMethodTable;

        public Object() { }

        public virtual bool Equals(object obj) => (object)this == obj;

        public static bool ReferenceEquals(object a, object b) => a == b;

        public virtual int GetHashCode() => 0;

        public virtual string ToString() => "System.Object";

        internal Internal.Runtime.MethodTable* GetMethodTable() => m_pMethodTable;
    }
}
