namespace Internal.Runtime
{
    /// <summary>
    /// Interface calls that ilc could not resolve at build time: `lea r11, [cell]; call [r11]`
    /// reaches RhpInitialDynamicInterfaceDispatch (asm/runtime.asm), which asks Resolve for the
    /// code of the method and jumps to it with the call's registers intact. A cell is two
    /// quadwords: the stub, and the interface's MethodTable (tagged in its low two bits: 1 = the
    /// pointer itself, 3 = relative to the field, 2 = relative to a cell holding the pointer).
    /// The cells of one interface method form a run that ends with a cell whose stub is 0 and
    /// whose second quadword holds the method's slot (high 16 bits 0 = interface and slot).
    /// Nothing is cached: each call walks the object's type and its bases' dispatch maps (static
    /// types: after the vtable and interface list come 4-byte relative pointers to the type
    /// manager, the writable data, then the dispatch map if the type has one).
    /// </summary>
    /// <unsafe>Reads only what ilc wrote: the cell (from the call site's r11), the object's MethodTable
    /// (its header word; the stub has already loaded it, so it is not null) and the MethodTables, maps
    /// and vtables of its type and bases. Every index is checked against the count ilc recorded
    /// beside it (interface index against NumInterfaces, vtable slot against NumVtableSlots, map entries
    /// against the map's count); anything not modelled (default interface methods, variance, cached
    /// cells) returns 0, and the stub then ends the program instead of jumping anywhere.</unsafe>
    internal static unsafe class InterfaceDispatch
    {
        private const uint HasDispatchMapFlag = 0x00040000;
        private const uint HasFinalizerFlag = 0x00100000;
        private const uint HasSealedVTableFlag = 0x00400000;
        private const int MaxRun = 1 << 16;     // cells of one method, a bound for the walk

        // Exported as rt_resolve_interface_call by the kernel and the SIP runtime (ilc roots exports
        // only in the assemblies it compiles, not in this referenced library).
        public static void* Resolve(MethodTable* type, ulong* cell)
        {
            ulong* end = cell;
            int n = 0;
            while (end[0] != 0)
            {
                if (++n > MaxRun) return null;
                end += 2;
            }
            ulong slotInfo = end[1];
            if ((slotInfo >> 16) != 0) return null;         // not an interface-and-slot cell
            ushort slot = (ushort)slotInfo;

            ulong cache = cell[1];
            MethodTable* itf;
            switch (cache & 3)
            {
                case 1: itf = (MethodTable*)(cache & ~3UL); break;
                case 3: itf = (MethodTable*)(((ulong)(cell + 1) + (ulong)(long)(int)cache) & ~3UL); break;
                case 2: itf = *(MethodTable**)(((ulong)(cell + 1) + (ulong)(long)(int)cache) & ~3UL); break;
                default: return null;                         // a cache: never written here
            }

            for (MethodTable* t = type; t != null; t = t->IsArray ? null : t->RelatedType)
            {
                if ((t->Flags & HasDispatchMapFlag) == 0) continue;
                byte* map = FollowRelative(OptionalFields(t));
                int count = *(ushort*)map;
                ushort* entry = (ushort*)(map + 8);
                for (int i = 0; i < count; i++, entry += 3)
                {
                    if (entry[1] != slot || entry[0] >= t->NumInterfaces || t->InterfaceMap[entry[0]] != itf) continue;
                    ushort impl = entry[2];
                    if (impl < t->NumVtableSlots) return type->Vtable[impl];   // the object's own: overrides win
                    if ((t->Flags & HasSealedVTableFlag) == 0) return null;
                    return SealedSlot(t, impl - t->NumVtableSlots);
                }
            }
            return null;
        }

        // The first relative-pointer field after the vtable and interface list is the type manager,
        // then the writable data; the dispatch map follows.
        private static byte* OptionalFields(MethodTable* t) =>
            (byte*)t + sizeof(MethodTable) + 8 * t->NumVtableSlots + 8 * t->NumInterfaces + 8;

        private static byte* FollowRelative(byte* field) => field + *(int*)field;

        // After the dispatch map and the finalizer come the sealed slots, each a relative pointer
        // to code. Their count is not recorded; ilc writes an index only for a slot it emitted.
        private static void* SealedSlot(MethodTable* t, int index)
        {
            byte* field = OptionalFields(t) + 4;                // past the dispatch map
            if ((t->Flags & HasFinalizerFlag) != 0) field += 4;
            byte* sealedSlots = FollowRelative(field);
            return FollowRelative(sealedSlots + 4 * index);
        }
    }
}
