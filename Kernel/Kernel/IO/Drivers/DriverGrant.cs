using Singularity.Abi;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.IO.Drivers
{
    /// <summary>
    /// The hardware one driver SIP holds (docs/drivers.md): its PCI device (if it drives one), its
    /// I/O port and memory ranges (a PCI driver's are its device's BARs in BAR order, a legacy
    /// driver's its manifest's) and its interrupt lines. Made when the SIP starts, charged to it
    /// as kernel memory (Charge.Record), and freed when it ends, after its device is quiesced.
    /// </summary>
    internal sealed unsafe class DriverGrant
    {
        public const int MaxRanges = DriverManifest.MaxRanges;

        public Sip Owner;
        public DeviceInfo* Device;          // null for a legacy driver
        public int PortCount, MemoryCount, IrqCount;
        public ulong[] PortBase, PortLength, MemoryBase, MemoryLength;
        public int[] Irqs;
        public ulong Charged;               // kernel-heap bytes charged to the owner
        public bool BusMaster;              // turned on by its first DMA buffer (IO/DmaBuffers.cs)
        public ulong Parked, ParkedBytes;   // freed DMA frames its device may still reach, until it is quiesced (no IOMMU)
        public DriverGrant Next;

        public DriverGrant()
        {
            PortBase = new ulong[MaxRanges]; PortLength = new ulong[MaxRanges];
            MemoryBase = new ulong[MaxRanges]; MemoryLength = new ulong[MaxRanges];
            Irqs = new int[DriverManifest.MaxIrqs];
        }

        public void AddPorts(ulong b, ulong l) { if (PortCount < MaxRanges) { PortBase[PortCount] = b; PortLength[PortCount++] = l; } }
        public void AddMemory(ulong b, ulong l) { if (MemoryCount < MaxRanges) { MemoryBase[MemoryCount] = b; MemoryLength[MemoryCount++] = l; } }
        public void AddIrq(int line) { if (IrqCount < Irqs.Length) Irqs[IrqCount++] = line; }
    }
}
