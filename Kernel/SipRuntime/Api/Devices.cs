using Singularity.Abi;
using Singularity.Runtime;

namespace Singularity
{
    /// <summary>What a base address register decodes.</summary>
    /// <safety>An enum of kinds; any value is harmless.</safety>
    /// <allmembers>A constant.</allmembers>
    public enum BarKind { Unused = 0, Io = 1, Memory32 = 2, Memory64 = 3 }

    /// <summary>One base address register of a PCI function.</summary>
    /// <safety>A plain object the runtime fills with copies; the caller owns it and may change it freely.</safety>
    /// <allmembers>A plain field of the caller's own object.</allmembers>
    public sealed class BarDescription
    {
        public int Index;
        public BarKind Kind;
        public bool Prefetchable;
        public ulong Base, Size;
    }

    /// <summary>One PCI function, as the kernel found it at boot (for `devices`).</summary>
    /// <safety>A plain object the runtime fills with copies; the caller owns it and may change it freely.</safety>
    /// <allmembers>A plain field of the caller's own object.</allmembers>
    public sealed class DeviceDescription
    {
        public int Bus, Device, Function;
        public int VendorId, DeviceId;
        public int Class, Subclass, ProgIf;
        public int InterruptLine, InterruptPin;
        public bool Msi, MsiX;
        public BarDescription[] Bars;
    }

    /// <summary>The machine's PCI devices (docs/drivers.md).</summary>
    /// <safety>Figures copied from the kernel's device table, which every SIP may read (ids, classes
    /// and addresses give no access: only a driver's grant does).</safety>
    public static unsafe class Devices
    {
        /// <summary>Every PCI function the kernel found.</summary>
        /// <safety>The kernel fills at most 64 records of a local buffer of 64; the count it returns is
        /// clamped to [0, 64] before any record is read.</safety>
        /// <unsafe>Passes a stack buffer of 64 DeviceInfo records with its length; reads the fixed BAR arrays within DeviceInfo.BarCount.</unsafe>
        public static DeviceDescription[] List()
        {
            const int Max = 64;
            DeviceInfo* buffer = stackalloc DeviceInfo[Max];
            int n = KernelCalls.Abi->DeviceList(buffer, Max);
            if (n < 0) n = 0;
            if (n > Max) n = Max;
            var result = new DeviceDescription[n];
            for (int i = 0; i < n; i++)
            {
                DeviceInfo* d = buffer + i;
                int bars = 0;
                for (int b = 0; b < DeviceInfo.BarCount; b++) if (d->BarKind[b] != DeviceInfo.BarUnused) bars++;
                var list = new BarDescription[bars];
                int k = 0;
                for (int b = 0; b < DeviceInfo.BarCount && k < bars; b++)
                {
                    if (d->BarKind[b] == DeviceInfo.BarUnused) continue;
                    list[k++] = new BarDescription { Index = b, Kind = (BarKind)d->BarKind[b], Prefetchable = d->BarPrefetchable[b] != 0, Base = d->BarBase[b], Size = d->BarSize[b] };
                }
                result[i] = new DeviceDescription
                {
                    Bus = d->Bus, Device = d->Device, Function = d->Function, VendorId = d->VendorId, DeviceId = d->DeviceId,
                    Class = d->Class, Subclass = d->Subclass, ProgIf = d->ProgIf, InterruptLine = d->InterruptLine, InterruptPin = d->InterruptPin,
                    Msi = (d->Flags & DeviceInfo.FlagMsi) != 0, MsiX = (d->Flags & DeviceInfo.FlagMsiX) != 0, Bars = list,
                };
            }
            return result;
        }
    }
}
