

namespace Singularity.Kernel.Arch
{
    /// <summary>The multiboot (version 1) information structure the boot loader hands us.</summary>
    internal unsafe struct MultibootInfo
    {
        public const uint BootloaderMagic = 0x2BADB002;

        private const uint FlagMemory = 1 << 0, FlagCmdline = 1 << 2, FlagModules = 1 << 3, FlagMemoryMap = 1 << 6;

        private readonly byte* _info;

        public MultibootInfo(ulong address) { _info = (byte*)address; }

        public ulong Address => (ulong)_info;
        private uint Flags => *(uint*)_info;

        public bool HasMemoryMap => (Flags & FlagMemoryMap) != 0;
        public uint MemoryMapLength => *(uint*)(_info + 44);
        public ulong MemoryMapAddress => *(uint*)(_info + 48);

        public byte* CommandLine => (Flags & FlagCmdline) != 0 ? (byte*)*(uint*)(_info + 16) : null;

        public uint ModuleCount => (Flags & FlagModules) != 0 ? *(uint*)(_info + 20) : 0;
        public ulong ModuleTable => *(uint*)(_info + 24);

        /// <summary>Start and end (exclusive) of boot module <paramref name="i"/>.</summary>
        public void GetModule(uint i, out ulong start, out ulong end, out byte* name)
        {
            uint* m = (uint*)(ModuleTable + 16 * i);
            start = m[0]; end = m[1]; name = (byte*)m[2];
        }

        /// <summary>Calls back for each memory map entry; type 1 is usable RAM.</summary>
        public bool NextMemoryRegion(ref ulong cursor, out ulong baseAddress, out ulong length, out uint type)
        {
            if (cursor == 0) cursor = MemoryMapAddress;
            if (!HasMemoryMap || cursor >= MemoryMapAddress + MemoryMapLength)
            {
                baseAddress = length = 0; type = 0;
                return false;
            }
            // Each entry: uint size (not counting itself), ulong base, ulong length, uint type.
            byte* e = (byte*)cursor;
            baseAddress = *(ulong*)(e + 4);
            length = *(ulong*)(e + 12);
            type = *(uint*)(e + 20);
            cursor += *(uint*)e + 4;
            return true;
        }

        public static string RegionTypeName(uint type) => type switch
        {
            1 => "usable",
            2 => "reserved",
            3 => "ACPI reclaimable",
            4 => "ACPI NVS",
            5 => "bad memory",
            _ => "unknown",
        };
    }
}
