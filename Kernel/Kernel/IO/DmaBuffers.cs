using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.IO.Drivers;
using Singularity.Kernel.IO.Iommu;
using Singularity.Kernel.IO.Pci;
using Singularity.Kernel.Ipc;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.IO
{
    /// <summary>
    /// DMA buffers (docs/drivers.md "DMA buffers"): exchange blocks of whole, physically contiguous
    /// frames that a driver holding a PCI device allocates, with the address its device uses for
    /// them. They move over channels as any exchange block does. With the IOMMU on, a block is
    /// mapped for the device of the driver that owns it and for no other, and unmapped (IOTLB
    /// invalidated) when it leaves that driver. Without an IOMMU nothing stops a device, so a DMA
    /// block's frames are not given back while the device of the driver that allocated them may
    /// still reach them: they wait, still charged to that driver, until its device is quiesced.
    /// </summary>
    internal static unsafe class DmaBuffers
    {
        /// <summary>Boot/Kernel.cs ConnectLayers: the exchange heap tells this layer of DMA blocks' owners.</summary>
        public static void Register() => ExchangeHeap.SetDmaHooks(&OnOwnerChanged, &Retire);

        /// <summary>
        /// A DMA block of <paramref name="length"/> bytes (1 to 4 MiB, rounded up to pages) for the
        /// driver <paramref name="sip"/>, or 0 with the reason: it holds no PCI device, the length is
        /// out of range, its exchange quota or memory is short, or no IOMMU domain is left. Turns on
        /// bus mastering for its device (a device without DMA buffers has no business mastering).
        /// </summary>
        public static ulong Allocate(Sip sip, ulong length, out ulong deviceAddress, out string error)
        {
            deviceAddress = 0;
            error = null;
            if (length == 0 || length > ExchangeHeap.MaxDmaBytes) { error = "a DMA buffer is 1 byte to 4 MiB"; return 0; }
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();        // the grant cannot go (its driver end) while this runs
            ulong handle = 0;
            DriverGrant g = IoManager.Of(sip);
            if (g == null || g.Device == null) error = "it holds no PCI device";
            else if (!IntelIommu.Attach(sip, g.Device)) error = "no IOMMU domain for its device (none free, or its kernel memory grant is short)";
            else
            {
                handle = ExchangeHeap.AllocateDma(sip, length, out ulong physical);
                if (handle == 0) error = "its exchange quota or the machine's contiguous memory is short";
                else
                {
                    deviceAddress = physical;       // the IOMMU maps each block at its physical address
                    if (!g.BusMaster)
                    {
                        PciBus.SetCommand(g.Device, (ushort)(PciBus.Command(g.Device) | PciBus.CommandBusMaster));
                        g.BusMaster = true;
                    }
                }
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return handle;
        }

        /// <summary>The device address of a DMA block the caller owns, or 0 (not its, or no DMA block).</summary>
        public static ulong AddressOf(Sip sip, ulong handle) =>
            ExchangeHeap.DmaBlockOf(handle, sip.Id, out ulong physical, out _) ? physical : 0;

        // A DMA block gained or lost a SIP owner: the IOMMU maps it for (or unmaps it from) that SIP's device. Interrupts off.
        private static void OnOwnerChanged(Sip sip, ulong physical, ulong pages, bool gained)
        {
            if (!IntelIommu.Enabled) return;
            DriverGrant g = IoManager.Of(sip);
            if (g == null || g.Device == null) return;
            if (gained && !IntelIommu.Attach(sip, g.Device))
            {
                Log.Write("iommu: no domain for "); Log.Write(sip.Name); Log.WriteLine("'s device: a DMA block it received stays unmapped");
                return;
            }
            IntelIommu.Map(g.Device, physical, pages, gained);
        }

        // A DMA block's frames are about to be freed. Without an IOMMU, while the device of the driver
        // that allocated them has not been quiesced it may still write there: the frames wait on
        // that driver's grant (linked through their own first bytes), charged to it. Interrupts off.
        private static bool Retire(int origin, ulong physical, ulong pages)
        {
            if (IntelIommu.Enabled) return false;              // unmapped and invalidated already
            DriverGrant g = IoManager.OfId(origin);
            if (g == null || g.Device == null || !g.BusMaster) return false;
            ulong bytes = pages * PhysicalMemory.PageSize;
            g.Owner.Account.Force(Charge.Exchange, bytes);
            ((ulong*)physical)[0] = g.Parked;
            ((ulong*)physical)[1] = pages;
            g.Parked = physical;
            g.ParkedBytes += bytes;
            return true;
        }

        /// <summary>
        /// The driver of <paramref name="g"/> ends; its device no longer masters the bus. The IOMMU
        /// forgets the device's domain, and the frames that waited for this are freed. Interrupts off.
        /// </summary>
        public static void Quiesced(DriverGrant g)
        {
            if (g.Device != null) IntelIommu.Detach(g.Device);
            while (g.Parked != 0)
            {
                ulong frames = g.Parked;
                ulong next = ((ulong*)frames)[0], pages = ((ulong*)frames)[1];
                PhysicalMemory.FreeContiguous(frames, pages);
                g.Parked = next;
            }
            if (g.ParkedBytes != 0) g.Owner.Account.Release(Charge.Exchange, g.ParkedBytes);
            g.ParkedBytes = 0;
        }
    }
}
