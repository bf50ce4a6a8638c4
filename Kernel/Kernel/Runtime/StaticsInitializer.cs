using Internal.Runtime;
using Singularity.Kernel.Boot;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;

namespace Singularity.Kernel.Runtime
{
    /// <summary>
    /// Module start-up for ilc's output: finds the ReadyToRun header through the __modules
    /// section and allocates the objects that hold each type's reference-typed statics
    /// (copying compile-time-initialised values), then runs the eager class constructors.
    /// Until this has run, kernel code must not touch a static field of reference type.
    /// </summary>
    internal static unsafe class StaticsInitializer
    {
        private const uint ReadyToRunSignature = 0x00525452;   // "RTR"
        private const int GCStaticRegion = 201;
        private const int EagerCctor = 205;
        private const int Uninitialized = 1, HasPreInitializedData = 2, FlagsMask = 3;

        public static void Initialize(KernelLayout* layout)
        {
            for (ulong* m = (ulong*)layout->ModulesStart; m < (ulong*)layout->ModulesEnd; m++)
            {
                byte* header = (byte*)*m;
                if (header == null) continue;
                if (*(uint*)header != ReadyToRunSignature) Panic.Halt("module start-up: bad ReadyToRun header signature");
                ushort sections = *(ushort*)(header + 12);
                byte entrySize = header[14];
                byte* rows = header + 16;
                for (int i = 0; i < sections; i++)
                {
                    byte* row = rows + i * entrySize;
                    int id = *(int*)row;
                    byte* start = (byte*)*(ulong*)(row + 8);
                    byte* end = (byte*)*(ulong*)(row + 16);
                    if (id == GCStaticRegion) InitializeGCStatics(start, end);
                }
                for (int i = 0; i < sections; i++)
                {
                    byte* row = rows + i * entrySize;
                    if (*(int*)row != EagerCctor) continue;
                    byte* start = (byte*)*(ulong*)(row + 8);
                    byte* end = (byte*)*(ulong*)(row + 16);
                    RunEagerConstructors(start, end);
                }
            }
        }

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
                object holder = Allocator.NewObject(type);
                byte* obj = Allocator.AddressOf(holder);
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
