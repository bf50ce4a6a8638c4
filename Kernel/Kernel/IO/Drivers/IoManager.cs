using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Processes;
using Singularity.Kernel.IO.Pci;

namespace Singularity.Kernel.IO.Drivers
{
    /// <summary>
    /// The I/O manager (docs/drivers.md): grants a driver SIP, when it starts, exactly the hardware
    /// its manifest names, checked against the machine and against every other driver's grant; and
    /// when it ends, quiesces its device (bus mastering off, interrupts disabled in the PCI
    /// command register, its interrupt lines masked) before releasing the grant, so a restarted
    /// driver finds a clean device. A PCI driver (`pci/ven_VVVV&amp;dev_DDDD`) gets its device's
    /// BARs and interrupt line and nothing else; a legacy driver gets the fixed ranges of its
    /// manifest, which may not touch RAM, a PCI device's BARs, or the devices the kernel itself
    /// drives (PIC, PIT, COM1, PCI configuration, the test exit port).
    /// </summary>
    internal static unsafe class IoManager
    {
        private static DriverGrant s_grants;

        // Ports the kernel drives itself: the PICs, the PIT, COM1, PCI configuration, the test exit port.
        private static bool IsKernelPort(ulong b, ulong l) =>
            Overlaps(b, l, 0x20, 2) || Overlaps(b, l, 0xA0, 2) || Overlaps(b, l, 0x40, 4) || Overlaps(b, l, 0x3F8, 8)
            || Overlaps(b, l, 0xCF8, 8) || Overlaps(b, l, 0xF4, 4);

        /// <summary>The grant <paramref name="sip"/> holds, or null. Interrupts off.</summary>
        public static DriverGrant Of(Sip sip)
        {
            for (DriverGrant g = s_grants; g != null; g = g.Next) if (g.Owner == sip) return g;
            return null;
        }

        /// <summary>The grant the SIP with id <paramref name="sipId"/> holds, or null. Interrupts off.</summary>
        public static DriverGrant OfId(int sipId)
        {
            for (DriverGrant g = s_grants; g != null; g = g.Next) if (g.Owner.Id == sipId) return g;
            return null;
        }

        /// <summary>
        /// Whether a start of an image with this manifest must come to <see cref="GrantAtStart"/>:
        /// it asks for hardware, or its driver part is malformed (GrantAtStart then reports why).
        /// The loader asks once per boot-module image (SipManifest.Facts); nothing is allocated.
        /// </summary>
        public static bool AsksForHardware(byte* manifest, ulong length)
        {
            DriverManifest m;
            string error = DriverManifest.Read(manifest, length, &m);
            return error != null || m.AsksForAnything;
        }

        /// <summary>
        /// At a SIP's start (SipLoader, through the hook ConnectLayers registers): reads the driver
        /// part of its manifest and grants it, or returns why it may not start (the loader fails
        /// the start with it). Null for a SIP that is no driver.
        /// </summary>
        public static string GrantAtStart(Sip sip, byte* manifest, ulong length)
        {
            DriverManifest m;
            string error = DriverManifest.Read(manifest, length, &m);
            if (error != null) return error;
            if (!m.AsksForAnything) return null;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            error = TryGrant(sip, &m);
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            if (error != null) { Log.Write("io: "); Log.Write(sip.Name); Log.Write(" gets no hardware: "); Log.WriteLine(error); }
            return error;
        }

        // Interrupts off: the check and the grant are one step for every other driver's start.
        private static string TryGrant(Sip sip, DriverManifest* m)
        {
            DeviceInfo* device = null;
            if (m->IsPci)
            {
                device = PciBus.Find(m->Vendor, m->Device);
                if (device == null) return "its device is not in this machine";
                if (m->PortCount > 0 || m->MemoryCount > 0 || m->IrqCount > 0)
                    return "a PCI driver gets its device's BARs and interrupt only, not fixed resources";
                for (DriverGrant g = s_grants; g != null; g = g.Next)
                    if (g.Device == device) return "its device is held by another driver";
            }
            else
            {
                for (int i = 0; i < m->PortCount; i++)
                {
                    string e = CheckPorts(m->PortBase[i], m->PortLength[i]);
                    if (e != null) return e;
                }
                for (int i = 0; i < m->MemoryCount; i++)
                {
                    string e = CheckMemory(m->MemoryBase[i], m->MemoryLength[i]);
                    if (e != null) return e;
                }
                for (int i = 0; i < m->IrqCount; i++)
                {
                    int line = m->Irqs[i];
                    if (line == 0 || line == 2 || line == 4) return "its interrupt line is the kernel's (timer, cascade or COM1)";
                    for (DriverGrant g = s_grants; g != null; g = g.Next)
                        for (int k = 0; k < g.IrqCount; k++)
                            if (g.Irqs[k] == line) return "its interrupt line is granted to another driver";
                    for (int d = 0; d < PciBus.Count; d++)
                        if (PciBus.At(d)->InterruptPin != 0 && PciBus.At(d)->InterruptLine == line) return "its interrupt line belongs to a PCI device";
                }
            }

            // Everything checks: the grant, measured and charged as kernel memory of the SIP.
            ulong mark = KernelHeap.BytesInUse;
            var grant = new DriverGrant();
            ulong bytes = KernelHeap.BytesInUse - mark;
            if (!sip.Account.TryCharge(Charge.Record, bytes))
            {
                Free(grant);
                return "its driver grant does not fit the kernel memory granted";
            }
            grant.Charged = bytes;
            grant.Owner = sip;
            grant.Device = device;
            if (device != null)
            {
                for (int b = 0; b < DeviceInfo.BarCount; b++)
                {
                    byte kind = device->BarKind[b];
                    if (kind == DeviceInfo.BarIo) grant.AddPorts(device->BarBase[b], device->BarSize[b]);
                    // Only what the kernel's identity map reaches (below 4 GiB): a BAR above it is not granted.
                    else if (kind != DeviceInfo.BarUnused && device->BarBase[b] != 0 && device->BarBase[b] < 0x100000000UL && device->BarSize[b] <= 0x100000000UL - device->BarBase[b])
                        grant.AddMemory(device->BarBase[b], device->BarSize[b]);
                }
                if (device->InterruptPin != 0 && device->InterruptLine < 16) grant.AddIrq(device->InterruptLine);
                // Decoding on for what it has, bus mastering and interrupts still off: the driver turns on what it uses.
                ushort command = PciBus.Command(device);
                command |= (ushort)((grant.PortCount > 0 ? PciBus.CommandIo : 0) | (grant.MemoryCount > 0 ? PciBus.CommandMemory : 0));
                PciBus.SetCommand(device, command);
            }
            else
            {
                for (int i = 0; i < m->PortCount; i++) grant.AddPorts(m->PortBase[i], m->PortLength[i]);
                for (int i = 0; i < m->MemoryCount; i++) grant.AddMemory(m->MemoryBase[i], m->MemoryLength[i]);
                for (int i = 0; i < m->IrqCount; i++) grant.AddIrq(m->Irqs[i]);
            }
            grant.Next = s_grants;
            s_grants = grant;
            Log.Write("io: "); Log.Write(sip.Name); Log.Write("#"); Log.WriteDecimal((ulong)sip.Id);
            Log.Write(" holds "); Log.WriteDecimal((ulong)grant.PortCount); Log.Write(" port ranges, ");
            Log.WriteDecimal((ulong)grant.MemoryCount); Log.Write(" memory ranges, ");
            Log.WriteDecimal((ulong)grant.IrqCount); Log.WriteLine(" interrupt lines");
            return null;
        }

        private static bool Overlaps(ulong a, ulong al, ulong b, ulong bl) => a < b + bl && b < a + al;

        private static string CheckPorts(ulong b, ulong l)
        {
            if (IsKernelPort(b, l)) return "its I/O ports include ports the kernel drives";
            for (DriverGrant g = s_grants; g != null; g = g.Next)
                for (int k = 0; k < g.PortCount; k++)
                    if (Overlaps(b, l, g.PortBase[k], g.PortLength[k])) return "its I/O ports overlap another driver's grant";
            for (int d = 0; d < PciBus.Count; d++)
            {
                DeviceInfo* dev = PciBus.At(d);
                for (int k = 0; k < DeviceInfo.BarCount; k++)
                    if (dev->BarKind[k] == DeviceInfo.BarIo && Overlaps(b, l, dev->BarBase[k], dev->BarSize[k])) return "its I/O ports belong to a PCI device";
            }
            return null;
        }

        // Legacy memory lies in the ISA hole (0xA0000-0xFFFFF) or above RAM, never in a PCI BAR or another grant.
        private static string CheckMemory(ulong b, ulong l)
        {
            bool isaHole = b >= 0xA0000 && l <= 0x100000 - b;
            bool aboveRam = b >= PhysicalMemory.AlignUp(PhysicalMemory.HighestAddress, PhysicalMemory.PageSize) && b < 0x100000000UL && l <= 0x100000000UL - b;
            if (!isaHole && !aboveRam) return "its I/O memory is not device memory (RAM, or above 4 GiB)";
            for (DriverGrant g = s_grants; g != null; g = g.Next)
                for (int k = 0; k < g.MemoryCount; k++)
                    if (Overlaps(b, l, g.MemoryBase[k], g.MemoryLength[k])) return "its I/O memory overlaps another driver's grant";
            for (int d = 0; d < PciBus.Count; d++)
            {
                DeviceInfo* dev = PciBus.At(d);
                for (int k = 0; k < DeviceInfo.BarCount; k++)
                    if ((dev->BarKind[k] == DeviceInfo.BarMemory32 || dev->BarKind[k] == DeviceInfo.BarMemory64) && Overlaps(b, l, dev->BarBase[k], dev->BarSize[k]))
                        return "its I/O memory belongs to a PCI device";
            }
            return null;
        }

        /// <summary>
        /// A SIP ends (SipEndStep.Quiesce, before anything of it is reclaimed): its device stops
        /// mastering the bus and raising interrupts, its lines are masked, its IOMMU domain goes and
        /// DMA frames that waited for the device to stop are freed (IO/DmaBuffers.cs), then its
        /// grant goes. Its own DMA blocks are freed later with its other exchange blocks.
        /// Interrupts off.
        /// </summary>
        public static void Quiesce(Sip sip)
        {
            DriverGrant prev = null, g = s_grants;
            while (g != null && g.Owner != sip) { prev = g; g = g.Next; }
            if (g == null) return;
            if (g.Device != null)
            {
                ushort command = PciBus.Command(g.Device);
                command = (ushort)((command & ~PciBus.CommandBusMaster) | PciBus.CommandInterruptDisable);
                PciBus.SetCommand(g.Device, command);
            }
            InterruptObjects.Release(sip);      // no thread of it waits on a line any more
            for (int i = 0; i < g.IrqCount; i++) Pic.Mask(g.Irqs[i]);
            // Only now may memory the device could reach go: its IOMMU domain, then DMA frames that waited.
            DmaBuffers.Quiesced(g);
            if (prev == null) s_grants = g.Next; else prev.Next = g.Next;
            sip.Account.Release(Charge.Record, g.Charged);
            Log.Write("io: "); Log.Write(sip.Name); Log.Write("#"); Log.WriteDecimal((ulong)sip.Id);
            Log.WriteLine(g.Device != null ? "'s device quiesced (bus mastering and interrupts off) and its grant released" : "'s grant released");
            Free(g);
        }

        private static void Free(DriverGrant g)
        {
            Allocator.Free(g.PortBase); Allocator.Free(g.PortLength);
            Allocator.Free(g.MemoryBase); Allocator.Free(g.MemoryLength);
            Allocator.Free(g.Irqs);
            Allocator.Free(g);
        }

        /// <summary>Lists the grants for `devices` (the holder of each device, legacy grants too).</summary>
        public static void WriteGrants()
        {
            // Interrupts off throughout: a grant is freed when its driver ends.
            ulong all = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            for (DriverGrant g = s_grants; g != null; g = g.Next)
            {
                ulong flags = Log.BeginLine();
                Log.Write("devices: driver "); Log.Write(g.Owner.Name); Log.Write("#"); Log.WriteDecimal((ulong)g.Owner.Id);
                if (g.Device != null)
                {
                    Log.Write(" holds PCI "); Log.WriteHex(g.Device->Bus, 2); Log.Write(":"); Log.WriteHex(g.Device->Device, 2); Log.Write("."); Log.WriteDecimal((ulong)g.Device->Function);
                }
                for (int i = 0; i < g.PortCount; i++) { Log.Write(" ports "); Log.WriteHex(g.PortBase[i], 4); Log.Write("+"); Log.WriteDecimal(g.PortLength[i]); }
                for (int i = 0; i < g.MemoryCount; i++) { Log.Write(" memory "); Log.WriteHex(g.MemoryBase[i], 8); Log.Write("+"); Log.WriteDecimal(g.MemoryLength[i]); }
                for (int i = 0; i < g.IrqCount; i++) { Log.Write(" irq "); Log.WriteDecimal((ulong)g.Irqs[i]); }
                Log.WriteLine();
                Log.EndLine(flags);
            }
            if ((all & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }
    }
}
