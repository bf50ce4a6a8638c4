using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.IO.Iommu
{
    /// <summary>
    /// Intel VT-d DMA remapping (docs/drivers.md "IOMMU"): one root table (a context table per bus),
    /// one domain per driver holding a PCI device, with its own second-level page tables that map
    /// exactly the DMA blocks the driver owns at that moment, each at its physical address (the
    /// device address a driver gets is the same with and without the IOMMU). Every other device,
    /// and every address outside those blocks, is blocked: the unit records a fault, which
    /// <see cref="PollFaults"/> logs with the device and address. Mapping a page that was not
    /// present needs no invalidation (the unit caches no not-present entries unless its caching
    /// mode says so, which this code refuses); unmapping invalidates the domain's IOTLB before the
    /// frames can go anywhere else. All calls with interrupts off.
    /// </summary>
    internal static unsafe class IntelIommu
    {
        // Registers (VT-d specification, chapter 11).
        private const int RegCapability = 0x08, RegExtCapability = 0x10, RegGlobalCommand = 0x18, RegGlobalStatus = 0x1C;
        private const int RegRootTable = 0x20, RegContextCommand = 0x28, RegFaultStatus = 0x34, RegFaultEventControl = 0x38;
        private const uint GlobalTranslationEnable = 1u << 31, GlobalSetRootTable = 1u << 30;
        private const ulong ContextInvalidate = 1UL << 63, ContextGlobal = 1UL << 61;
        private const ulong IotlbInvalidate = 1UL << 63, IotlbGlobal = 1UL << 60, IotlbDomain = 2UL << 60;
        private const ulong IotlbDrainReads = 1UL << 49, IotlbDrainWrites = 1UL << 48;
        private const uint FaultOverflow = 1, FaultPending = 2;
        private const ulong Read = 1, Write = 2, AddressMask = 0x000FFFFFFFFFF000;
        public const int MaxDomains = 16;

        private static ulong s_base;
        private static ulong s_rootTable;               // 256 root entries, one per bus
        private static int s_levels;                    // second-level paging: 3 (39-bit) or 4 (48-bit)
        private static int s_iotlbOffset, s_faultOffset, s_faultRecords;

        // Domains: the device each serves, its top page table, the frames its tables use, whom they are charged to.
        private static ulong[] s_device;                 // DeviceInfo* values (0: the domain is free)
        private static ulong[] s_top;
        private static ulong[] s_frames;
        private static Sip[] s_charged;

        /// <summary>True when translation is on: every device reaches only what a domain maps.</summary>
        public static bool Enabled { get; private set; }

        private static uint R32(int offset) => *(uint*)(s_base + (ulong)offset);
        private static ulong R64(int offset) => *(ulong*)(s_base + (ulong)offset);
        private static void W32(int offset, uint v) => *(uint*)(s_base + (ulong)offset) = v;
        private static void W64(int offset, ulong v) => *(ulong*)(s_base + (ulong)offset) = v;

        /// <summary>
        /// At boot, after PCI enumeration: finds the unit through ACPI and turns translation on with
        /// no device mapped, or leaves the machine without an IOMMU. Logs which.
        /// </summary>
        public static void Initialize()
        {
            ulong unit = AcpiDmar.FindRemappingUnit();
            if (unit == 0 || unit >= 0x100000000UL || (unit & 0xFFF) != 0)
            {
                Log.WriteLine("iommu: none (no DMAR table): devices reach all memory by DMA; DMA buffers are not confined");
                return;
            }
            s_base = unit;
            ulong cap = R64(RegCapability), ecap = R64(RegExtCapability);
            ulong sagaw = (cap >> 8) & 0x1F;
            s_levels = (sagaw & 2) != 0 ? 3 : (sagaw & 4) != 0 ? 4 : 0;
            bool cachingMode = (cap & (1UL << 7)) != 0;
            if (s_levels == 0 || cachingMode)
            {
                Log.WriteLine("iommu: VT-d unit found but not usable (no 3- or 4-level paging, or caching mode): not confined");
                return;
            }
            s_faultOffset = (int)((cap >> 24) & 0x3FF) * 16;
            s_faultRecords = (int)((cap >> 40) & 0xFF) + 1;
            s_iotlbOffset = (int)((ecap >> 8) & 0x3FF) * 16;

            s_device = new ulong[MaxDomains];
            s_top = new ulong[MaxDomains];
            s_frames = new ulong[MaxDomains];
            s_charged = new Sip[MaxDomains];
            s_rootTable = PhysicalMemory.AllocateFrame();          // zeroed: no bus present
            if (s_rootTable == 0) { Log.WriteLine("iommu: no memory for the root table: not confined"); return; }

            W32(RegFaultEventControl, 1u << 31);                   // fault events masked: faults are polled
            W64(RegRootTable, s_rootTable);                        // legacy-mode root table
            Command(GlobalSetRootTable);
            InvalidateContexts();
            InvalidateIotlb(IotlbGlobal, 0);
            Command(GlobalTranslationEnable);
            Enabled = true;
            Log.Write("iommu: VT-d at "); Log.WriteHex(unit, 8); Log.Write(", "); Log.WriteDecimal((ulong)(s_levels == 3 ? 39 : 48));
            Log.Write("-bit domains, "); Log.WriteDecimal((ulong)s_faultRecords);
            Log.WriteLine(" fault records: DMA confined to each driver's DMA buffers");
        }

        // Sets one command bit, keeping the ones already in force, and waits for the status to show it.
        private static void Command(uint bit)
        {
            uint persistent = R32(RegGlobalStatus) & (GlobalTranslationEnable | (1u << 26) | (1u << 25) | (1u << 23));
            W32(RegGlobalCommand, persistent | bit);
            for (int i = 0; i < 1000000 && (R32(RegGlobalStatus) & bit) == 0; i++) Cpu.Pause();
        }

        private static void InvalidateContexts()
        {
            W64(RegContextCommand, ContextInvalidate | ContextGlobal);
            for (int i = 0; i < 1000000 && (R64(RegContextCommand) & ContextInvalidate) != 0; i++) Cpu.Pause();
        }

        // Domain-selective (or global) IOTLB invalidation, draining reads and writes already under way.
        private static void InvalidateIotlb(ulong granularity, int domain)
        {
            int reg = s_iotlbOffset + 8;
            W64(reg, IotlbInvalidate | granularity | IotlbDrainReads | IotlbDrainWrites | ((ulong)(uint)domain << 32));
            for (int i = 0; i < 1000000 && (R64(reg) & IotlbInvalidate) != 0; i++) Cpu.Pause();
        }

        private static int DomainOf(DeviceInfo* d)
        {
            for (int i = 0; i < MaxDomains; i++) if (s_device[i] == (ulong)d) return i;
            return -1;
        }

        /// <summary>
        /// Gives <paramref name="device"/> its own domain, with nothing mapped, charged to the driver
        /// <paramref name="sip"/>; true when it has one (already, or now). False: no free domain or
        /// no memory (the driver gets no DMA buffer).
        /// </summary>
        public static bool Attach(Sip sip, DeviceInfo* device)
        {
            if (!Enabled) return true;
            if (DomainOf(device) >= 0) return true;
            int dom = DomainOf(null);
            if (dom < 0) return false;
            ulong* root = (ulong*)s_rootTable + device->Bus * 2;
            bool newContext = (root[0] & 1) == 0;
            if (!sip.Account.TryCharge(Charge.Record, (newContext ? 2UL : 1UL) * PhysicalMemory.PageSize)) return false;
            ulong top = PhysicalMemory.AllocateFrame();
            if (top == 0) { sip.Account.Release(Charge.Record, (newContext ? 2UL : 1UL) * PhysicalMemory.PageSize); return false; }
            if (newContext)
            {
                // A bus's context table stays once made (at most 256, one per bus): it is the kernel's, not the driver's.
                sip.Account.Release(Charge.Record, PhysicalMemory.PageSize);
                ulong table = PhysicalMemory.AllocateFrame();
                if (table == 0) { PhysicalMemory.FreeFrame(top); sip.Account.Release(Charge.Record, PhysicalMemory.PageSize); return false; }
                root[1] = 0;
                root[0] = table | 1;
            }
            s_device[dom] = (ulong)device;
            s_top[dom] = top;
            s_frames[dom] = 1;
            s_charged[dom] = sip;
            ulong* context = (ulong*)(root[0] & AddressMask) + ((device->Device << 3) | device->Function) * 2;
            context[1] = (ulong)(s_levels == 3 ? 1 : 2) | ((ulong)(dom + 1) << 8);    // address width, domain id
            context[0] = top | 1;                                                     // translated through the second-level tables
            InvalidateContexts();
            return true;
        }

        /// <summary>
        /// Maps (or unmaps) <paramref name="pages"/> frames at <paramref name="physical"/> for the
        /// device's domain, at the same I/O virtual address; an unmap invalidates the domain's IOTLB
        /// before it returns. A device without a domain is left alone (nothing of it is mapped).
        /// </summary>
        public static void Map(DeviceInfo* device, ulong physical, ulong pages, bool map)
        {
            if (!Enabled) return;
            int dom = DomainOf(device);
            if (dom < 0) return;
            for (ulong i = 0; i < pages; i++)
            {
                ulong a = physical + i * PhysicalMemory.PageSize;
                ulong* pt = Walk(dom, a, map);
                if (pt == null)
                {
                    if (map) { Log.Write("iommu: no memory for a page table: "); Log.WriteHex(a); Log.WriteLine(" stays unmapped"); }
                    continue;
                }
                pt[(a >> 12) & 511] = map ? (a & AddressMask) | Read | Write : 0;
            }
            if (!map) InvalidateIotlb(IotlbDomain, dom + 1);
        }

        // The last-level table for `a` in the domain, made on the way when `create`. Each new frame is charged to the driver.
        private static ulong* Walk(int dom, ulong a, bool create)
        {
            ulong* table = (ulong*)s_top[dom];
            for (int level = s_levels; level > 1; level--)
            {
                int index = (int)((a >> (12 + 9 * (level - 1))) & 511);
                if ((table[index] & (Read | Write)) == 0)
                {
                    if (!create) return null;
                    Sip sip = s_charged[dom];
                    if (!sip.Account.TryCharge(Charge.Record, PhysicalMemory.PageSize)) return null;
                    ulong frame = PhysicalMemory.AllocateFrame();
                    if (frame == 0) { sip.Account.Release(Charge.Record, PhysicalMemory.PageSize); return null; }
                    s_frames[dom]++;
                    table[index] = frame | Read | Write;
                }
                table = (ulong*)(table[index] & AddressMask);
            }
            return table;
        }

        /// <summary>
        /// The driver of <paramref name="device"/> ended (after bus mastering went off): its context
        /// entry goes, the context cache and the domain's IOTLB are invalidated, then its page
        /// tables are freed and their charge released. Nothing of the device is reachable after.
        /// </summary>
        public static void Detach(DeviceInfo* device)
        {
            if (!Enabled) return;
            int dom = DomainOf(device);
            if (dom < 0) return;
            ulong* root = (ulong*)s_rootTable + device->Bus * 2;
            ulong* context = (ulong*)(root[0] & AddressMask) + ((device->Device << 3) | device->Function) * 2;
            context[0] = 0;
            context[1] = 0;
            InvalidateContexts();
            InvalidateIotlb(IotlbDomain, dom + 1);
            ulong freed = FreeTables(s_top[dom], s_levels);
            s_charged[dom].Account.Release(Charge.Record, freed * PhysicalMemory.PageSize);
            s_device[dom] = 0;
            s_top[dom] = 0;
            s_frames[dom] = 0;
            s_charged[dom] = null;
        }

        // Frees a table and the tables below it; the number of frames freed.
        private static ulong FreeTables(ulong table, int level)
        {
            ulong n = 1;
            if (level > 1)
                for (int i = 0; i < 512; i++)
                {
                    ulong e = ((ulong*)table)[i];
                    if ((e & (Read | Write)) != 0) n += FreeTables(e & AddressMask, level - 1);
                }
            PhysicalMemory.FreeFrame(table);
            return n;
        }

        // Two hex digits without a prefix, as bus:device.function is written.
        private static void WriteHex2(uint v)
        {
            uint hi = (v >> 4) & 0xF, lo = v & 0xF;
            Log.WriteChar((char)(hi < 10 ? '0' + hi : 'a' + hi - 10));
            Log.WriteChar((char)(lo < 10 ? '0' + lo : 'a' + lo - 10));
        }

        /// <summary>
        /// Logs and clears every recorded translation fault: the device (bus:device.function), the
        /// page address it tried, read or write, and the unit's reason code. The DMA was blocked.
        /// </summary>
        public static void PollFaults()
        {
            if (!Enabled) return;
            uint status = R32(RegFaultStatus);
            if ((status & (FaultPending | FaultOverflow)) == 0) return;
            for (int i = 0; i < s_faultRecords; i++)
            {
                int at = s_faultOffset + i * 16;
                ulong high = R64(at + 8);
                if ((high & (1UL << 63)) == 0) continue;
                ulong address = R64(at) & ~0xFFFUL;
                uint source = (uint)(high & 0xFFFF);
                uint reason = (uint)((high >> 32) & 0xFF);
                bool read = (high & (1UL << 62)) != 0;
                W32(at + 12, 1u << 31);                             // clears the record (write 1 to F)
                ulong flags = Log.BeginLine();
                Log.Write("iommu: DMA blocked: device "); WriteHex2(source >> 8); Log.Write(":"); WriteHex2((source >> 3) & 31);
                Log.Write("."); Log.WriteDecimal((ulong)(source & 7)); Log.Write(read ? " read " : " write ");
                Log.WriteHex(address); Log.Write(" (fault reason "); WriteHex2(reason); Log.WriteLine(")");
                Log.EndLine(flags);
            }
            if ((status & FaultOverflow) != 0)
            {
                W32(RegFaultStatus, FaultOverflow);
                Log.WriteLine("iommu: fault records overflowed: some blocked DMA was not recorded");
            }
        }
    }
}
