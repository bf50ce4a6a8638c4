using System.Runtime;

namespace Internal.Runtime
{
    /// <summary>
    /// Module start-up for ilc's output, shared by the kernel and the SIP runtime: finds the
    /// ReadyToRun header through the __modules section, allocates the objects that hold each
    /// type's reference-typed statics (copying compile-time-initialised values), and runs the
    /// eager class constructors. Until it has run, code must not touch a static field of
    /// reference type. Allocation goes through RhpNewFast, which the linking runtime provides.
    /// </summary>
    /// <unsafe>Reads the image's own ReadyToRun header and sections (written by ilc, located through
    /// the __modules section the linker script keeps), once at start-up before any SIP code runs,
    /// and the GC static cells (for the collector's roots). Relative pointers and section bounds come
    /// from the image; the eager constructors it calls are the image's own. No value here comes from
    /// SIP code.</unsafe>
    internal static unsafe class ModuleStartup
    {
        private const uint ReadyToRunSignature = 0x00525452;   // "RTR"
        public const int GCStaticRegionSection = 201;
        private const int EagerCctorSection = 205;
        private const int Uninitialized = 1, HasPreInitializedData = 2, FlagsMask = 3;

        /// <summary>Runs start-up for every module; returns null, or what is wrong with the image.</summary>
        public static string Initialize(ulong* modulesStart, ulong* modulesEnd)
        {
            for (ulong* m = modulesStart; m < modulesEnd; m++)
            {
                byte* header = (byte*)*m;
                if (header == null) continue;
                if (*(uint*)header != ReadyToRunSignature) return "bad ReadyToRun header signature";
                byte* start, end;
                if (FindSection(header, GCStaticRegionSection, out start, out end)) InitializeGCStatics(start, end);
                if (FindSection(header, EagerCctorSection, out start, out end)) RunEagerConstructors(start, end);
            }
            return null;
        }

        /// <summary>The [start, end) of a ReadyToRun section of the module whose header is given.</summary>
        public static bool FindSection(byte* header, int id, out byte* start, out byte* end)
        {
            ushort sections = *(ushort*)(header + 12);
            byte entrySize = header[14];
            byte* rows = header + 16;
            for (int i = 0; i < sections; i++)
            {
                byte* row = rows + i * entrySize;
                if (*(int*)row != id) continue;
                start = (byte*)*(ulong*)(row + 8);
                end = (byte*)*(ulong*)(row + 16);
                return true;
            }
            start = end = null;
            return false;
        }

        /// <summary>
        /// The cells of a GC static region: after start-up each holds the address of an object
        /// whose fields are a type's reference-typed statics. A garbage collector's roots.
        /// </summary>
        public static long* GCStaticCell(byte* regionEntry) => (long*)ReadRelative((int*)regionEntry);

        private static byte* ReadRelative(int* p) => (byte*)p + *p;

        private static void InitializeGCStatics(byte* start, byte* end)
        {
            // The region is a list of 32-bit relative pointers to cells; a cell holds a relative
            // pointer to the statics' MethodTable tagged with flags, and is overwritten with the
            // object's address once allocated.
            for (int* entry = (int*)start; entry < (int*)end; entry++)
            {
                long* cell = (long*)ReadRelative(entry);
                long tagged = (long)ReadRelative((int*)cell);
                if ((tagged & Uninitialized) == 0) continue;
                MethodTable* type = (MethodTable*)(tagged & ~(long)FlagsMask);
                object holder = RuntimeImports.RhpNewFast(type);
                byte* obj = *(byte**)&holder;
                if ((tagged & HasPreInitializedData) != 0)
                {
                    byte* data = ReadRelative((int*)cell + 1);
                    ulong size = type->BaseSize - 16;
                    for (ulong i = 0; i < size; i++) obj[8 + i] = data[i];
                }
                *cell = (long)obj;
            }
        }

        private static void RunEagerConstructors(byte* start, byte* end)
        {
            for (int* entry = (int*)start; entry < (int*)end; entry++)
            {
                delegate*<void> cctor = (delegate*<void>)ReadRelative(entry);
                cctor();
            }
        }
    }
}
