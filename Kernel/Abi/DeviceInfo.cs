using System.Runtime.InteropServices;

namespace Singularity.Abi
{
    /// <summary>
    /// One PCI function, as the DeviceList entry point (45) and the debug console's `devices`
    /// report it (docs/drivers.md). Compiled into the kernel and the runtime.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct DeviceInfo
    {
        public const int BarCount = 6;
        // BarKind values: what a base address register decodes.
        public const byte BarUnused = 0, BarIo = 1, BarMemory32 = 2, BarMemory64 = 3;
        // Flags.
        public const int FlagMsi = 1, FlagMsiX = 2, FlagBridge = 4, FlagMultifunction = 8;

        public byte Bus, Device, Function, HeaderType;
        public ushort VendorId, DeviceId;
        public byte Class, Subclass, ProgIf, Revision;
        public byte InterruptLine, InterruptPin;
        public ushort Flags;
        public fixed ulong BarBase[BarCount];
        public fixed ulong BarSize[BarCount];
        public fixed byte BarKind[BarCount];
        public fixed byte BarPrefetchable[BarCount];
        public int Reserved;
    }
}
