using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;

namespace Singularity.Kernel.IO.Pci
{
    /// <summary>
    /// The machine's PCI functions, found once at boot through configuration space (PciConfig):
    /// bus 0 and every bus behind a PCI-to-PCI bridge, all eight functions of a multifunction
    /// device; for each its ids, class, interrupt line and pin, MSI/MSI-X presence and its BARs
    /// with kind and size. Sizes are probed the usual way (write all ones, read back the mask)
    /// with I/O and memory decoding off meanwhile, and everything written is restored.
    /// The table lives for the kernel's lifetime (allocated once at boot, never charged to a SIP).
    /// </summary>
    internal static unsafe class PciBus
    {
        public const int MaxDevices = 64;
        private const int CommandRegister = 0x04, HeaderTypeRegister = 0x0E, InterruptRegister = 0x3C;
        public const ushort CommandIo = 1, CommandMemory = 2, CommandBusMaster = 4, CommandInterruptDisable = 0x400;

        private static DeviceInfo* s_devices;
        private static int s_count;
        private static bool s_scanned;

        public static int Count => s_count;

        /// <summary>The device at <paramref name="index"/> (0 ≤ index &lt; Count), or null.</summary>
        public static DeviceInfo* At(int index) => index >= 0 && index < s_count ? s_devices + index : null;

        /// <summary>Scans every bus once (at boot).</summary>
        public static void Enumerate()
        {
            if (s_scanned) return;
            s_scanned = true;
            s_devices = (DeviceInfo*)KernelHeap.Allocate((ulong)(sizeof(DeviceInfo) * MaxDevices));
            if (s_devices == null) { Log.WriteLine("pci: no memory for the device table"); return; }
            Cpu.Zero(s_devices, (ulong)(sizeof(DeviceInfo) * MaxDevices));
            // Buses are visited at most once each (a bridge misprogrammed into a loop ends here).
            bool* seen = stackalloc bool[256];
            for (int i = 0; i < 256; i++) seen[i] = false;
            ScanBus(0, seen);
            Log.Write("pci: "); Log.WriteDecimal((ulong)s_count); Log.WriteLine(" functions");
        }

        private static void ScanBus(int bus, bool* seen)
        {
            if (seen[bus]) return;
            seen[bus] = true;
            for (int dev = 0; dev < 32; dev++)
            {
                if (PciConfig.Read16(bus, dev, 0, 0) == 0xFFFF) continue;
                bool multi = (PciConfig.Read8(bus, dev, 0, HeaderTypeRegister) & 0x80) != 0;
                int functions = multi ? 8 : 1;
                for (int fn = 0; fn < functions; fn++)
                {
                    if (PciConfig.Read16(bus, dev, fn, 0) == 0xFFFF) continue;
                    DeviceInfo* d = Record(bus, dev, fn, multi);
                    if (d != null && (d->Flags & DeviceInfo.FlagBridge) != 0)
                    {
                        int secondary = PciConfig.Read8(bus, dev, fn, 0x19);
                        if (secondary != 0) ScanBus(secondary, seen);
                    }
                }
            }
        }

        private static DeviceInfo* Record(int bus, int dev, int fn, bool multi)
        {
            if (s_count == MaxDevices) { Log.WriteLine("pci: more functions than the table holds; the rest are ignored"); return null; }
            DeviceInfo* d = s_devices + s_count++;
            d->Bus = (byte)bus; d->Device = (byte)dev; d->Function = (byte)fn;
            uint ids = PciConfig.Read32(bus, dev, fn, 0);
            d->VendorId = (ushort)ids; d->DeviceId = (ushort)(ids >> 16);
            uint cls = PciConfig.Read32(bus, dev, fn, 0x08);
            d->Revision = (byte)cls; d->ProgIf = (byte)(cls >> 8); d->Subclass = (byte)(cls >> 16); d->Class = (byte)(cls >> 24);
            byte header = PciConfig.Read8(bus, dev, fn, HeaderTypeRegister);
            d->HeaderType = (byte)(header & 0x7F);
            ushort flags = 0;
            if (multi) flags |= DeviceInfo.FlagMultifunction;
            if (d->HeaderType == 1) flags |= DeviceInfo.FlagBridge;
            uint irq = PciConfig.Read32(bus, dev, fn, InterruptRegister);
            d->InterruptLine = (byte)irq; d->InterruptPin = (byte)(irq >> 8);
            flags |= Capabilities(bus, dev, fn);
            d->Flags = flags;
            // A type-0 header has six BARs, a bridge two, a CardBus bridge none we decode.
            int bars = d->HeaderType == 0 ? 6 : d->HeaderType == 1 ? 2 : 0;
            ProbeBars(d, bars);
            return d;
        }

        // MSI (capability 05) and MSI-X (11) in the capability list, which is walked at most 48 steps.
        private static ushort Capabilities(int bus, int dev, int fn)
        {
            ushort status = PciConfig.Read16(bus, dev, fn, 0x06);
            if ((status & 0x10) == 0) return 0;
            ushort found = 0;
            int p = PciConfig.Read8(bus, dev, fn, 0x34) & 0xFC;
            for (int steps = 0; p >= 0x40 && steps < 48; steps++)
            {
                byte id = PciConfig.Read8(bus, dev, fn, p);
                if (id == 0x05) found |= DeviceInfo.FlagMsi;
                else if (id == 0x11) found |= DeviceInfo.FlagMsiX;
                p = PciConfig.Read8(bus, dev, fn, p + 1) & 0xFC;
            }
            return found;
        }

        private static void ProbeBars(DeviceInfo* d, int bars)
        {
            int bus = d->Bus, dev = d->Device, fn = d->Function;
            ushort command = PciConfig.Read16(bus, dev, fn, CommandRegister);
            // Decoding off while a BAR holds all ones: the device must not answer at a bogus address.
            PciConfig.Write16(bus, dev, fn, CommandRegister, (ushort)(command & ~(CommandIo | CommandMemory)));
            for (int i = 0; i < bars; i++)
            {
                int reg = 0x10 + i * 4;
                uint original = PciConfig.Read32(bus, dev, fn, reg);
                PciConfig.Write32(bus, dev, fn, reg, 0xFFFFFFFF);
                uint mask = PciConfig.Read32(bus, dev, fn, reg);
                PciConfig.Write32(bus, dev, fn, reg, original);
                if (mask == 0 || mask == 0xFFFFFFFF && original == 0xFFFFFFFF) continue;
                if ((original & 1) != 0)
                {
                    uint m = mask & 0xFFFFFFFC;
                    m |= 0xFFFF0000;        // I/O BARs may decode only 16 bits
                    uint size = ~m + 1;
                    if (size == 0) continue;
                    d->BarKind[i] = DeviceInfo.BarIo;
                    d->BarBase[i] = original & 0xFFFC;
                    d->BarSize[i] = size;
                    continue;
                }
                int type = (int)(original >> 1) & 3;
                bool prefetch = (original & 8) != 0;
                if (type == 2 && i + 1 < bars)
                {
                    int hiReg = reg + 4;
                    uint hiOriginal = PciConfig.Read32(bus, dev, fn, hiReg);
                    PciConfig.Write32(bus, dev, fn, hiReg, 0xFFFFFFFF);
                    uint hiMask = PciConfig.Read32(bus, dev, fn, hiReg);
                    PciConfig.Write32(bus, dev, fn, hiReg, hiOriginal);
                    ulong full = ((ulong)hiMask << 32) | (mask & 0xFFFFFFF0);
                    ulong size = ~full + 1;
                    if (full != 0 && size != 0)
                    {
                        d->BarKind[i] = DeviceInfo.BarMemory64;
                        d->BarBase[i] = ((ulong)hiOriginal << 32) | (original & 0xFFFFFFF0);
                        d->BarSize[i] = size;
                        d->BarPrefetchable[i] = (byte)(prefetch ? 1 : 0);
                    }
                    i++;        // the upper half is this BAR's
                    continue;
                }
                uint m32 = mask & 0xFFFFFFF0;
                if (m32 == 0) continue;
                d->BarKind[i] = DeviceInfo.BarMemory32;
                d->BarBase[i] = original & 0xFFFFFFF0;
                d->BarSize[i] = ~m32 + 1;
                d->BarPrefetchable[i] = (byte)(prefetch ? 1 : 0);
            }
            PciConfig.Write16(bus, dev, fn, CommandRegister, command);
        }

        /// <summary>Reads a function's command register.</summary>
        public static ushort Command(DeviceInfo* d) => PciConfig.Read16(d->Bus, d->Device, d->Function, CommandRegister);

        /// <summary>Writes a function's command register (status bits are never written back).</summary>
        public static void SetCommand(DeviceInfo* d, ushort value) => PciConfig.Write16(d->Bus, d->Device, d->Function, CommandRegister, value);

        /// <summary>The first function matching vendor and device ids, or null.</summary>
        public static DeviceInfo* Find(int vendor, int device)
        {
            for (int i = 0; i < s_count; i++)
                if (s_devices[i].VendorId == vendor && s_devices[i].DeviceId == device) return s_devices + i;
            return null;
        }

        /// <summary>A short name for a class code (the `devices` listing).</summary>
        public static string ClassName(byte cls, byte sub)
        {
            switch (cls)
            {
                case 0x01: return sub == 0x01 ? "IDE controller" : sub == 0x06 ? "SATA controller" : "storage controller";
                case 0x02: return sub == 0x00 ? "Ethernet controller" : "network controller";
                case 0x03: return sub == 0x00 ? "VGA controller" : "display controller";
                case 0x04: return "multimedia controller";
                case 0x06:
                    return sub == 0x00 ? "host bridge" : sub == 0x01 ? "ISA bridge" : sub == 0x04 ? "PCI bridge" : "bridge";
                case 0x0C: return sub == 0x03 ? "USB controller" : "serial bus controller";
                default: return "device";
            }
        }
    }
}
