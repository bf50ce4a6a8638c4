namespace Singularity.Kernel.IO.Iommu
{
    /// <summary>
    /// Finds the VT-d remapping unit through ACPI (docs/drivers.md "IOMMU"): the RSDP in the BIOS
    /// area, the RSDT or XSDT it names, the DMAR table among theirs, and the first DMA-remapping
    /// hardware unit (DRHD) structure in it, whose register base the kernel programs. The tables
    /// lie in RAM or ROM below 4 GiB, which the kernel's identity map reaches; every length read
    /// from them is bounded before it is followed.
    /// </summary>
    internal static unsafe class AcpiDmar
    {
        private const ulong MaxTableBytes = 1 << 20;

        /// <summary>The register base of the first DRHD, or 0 when the machine has no DMAR table.</summary>
        public static ulong FindRemappingUnit()
        {
            // The BIOS area only: the EBDA pointer lies in page 0, which the kernel leaves unmapped
            // (QEMU's firmware puts the RSDP in the BIOS area).
            byte* rsdp = FindRsdp(0xE0000, 0x20000);
            if (rsdp == null) return 0;
            byte revision = rsdp[15];
            ulong xsdt = revision >= 2 ? *(ulong*)(rsdp + 24) : 0;
            byte* dmar = xsdt != 0 && xsdt < 0x100000000UL ? FindTable((byte*)xsdt, 8, "DMAR") : null;
            if (dmar == null)
            {
                ulong rsdt = *(uint*)(rsdp + 16);
                if (rsdt != 0) dmar = FindTable((byte*)rsdt, 4, "DMAR");
            }
            if (dmar == null) return 0;
            uint length = *(uint*)(dmar + 4);
            if (length < 48 || length > MaxTableBytes) return 0;
            // Remapping structures follow the 48-byte header: type (u16), length (u16), body.
            for (uint at = 48; at + 16 <= length;)
            {
                ushort type = *(ushort*)(dmar + at);
                ushort size = *(ushort*)(dmar + at + 2);
                if (size < 4 || size > length - at) return 0;
                if (type == 0) return *(ulong*)(dmar + at + 8);     // DRHD: flags, reserved, segment, register base
                at += size;
            }
            return 0;
        }

        // "RSD PTR " on a 16-byte boundary with a valid checksum over its first 20 bytes.
        private static byte* FindRsdp(ulong start, ulong length)
        {
            for (ulong a = start; a + 36 <= start + length; a += 16)
            {
                byte* p = (byte*)a;
                if (p[0] != 'R' || p[1] != 'S' || p[2] != 'D' || p[3] != ' ' || p[4] != 'P' || p[5] != 'T' || p[6] != 'R' || p[7] != ' ') continue;
                byte sum = 0;
                for (int i = 0; i < 20; i++) sum += p[i];
                if (sum == 0) return p;
            }
            return null;
        }

        // The table with the given signature among the root table's entries (4- or 8-byte addresses).
        private static byte* FindTable(byte* root, int entrySize, string signature)
        {
            uint length = *(uint*)(root + 4);
            if (length < 36 || length > MaxTableBytes) return null;
            for (uint at = 36; at + (uint)entrySize <= length; at += (uint)entrySize)
            {
                ulong address = entrySize == 8 ? *(ulong*)(root + at) : *(uint*)(root + at);
                if (address == 0 || address >= 0x100000000UL) continue;
                byte* t = (byte*)address;
                if (t[0] == signature[0] && t[1] == signature[1] && t[2] == signature[2] && t[3] == signature[3]) return t;
            }
            return null;
        }
    }
}
