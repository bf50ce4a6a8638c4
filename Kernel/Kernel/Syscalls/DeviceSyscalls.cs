using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.IO.Pci;

namespace Singularity.Kernel.Syscalls
{
    /// <summary>System calls: the PCI device list (`devices` in the shell; docs/drivers.md).</summary>
    internal static unsafe class DeviceSyscalls
    {
        public static void Register(KernelAbi* t)
        {
            t->DeviceList = &AbiDeviceList;
        }

        // Copies at most `max` records (clamped to the table's size) into the runtime's buffer and
        // returns how many functions there are. The table never changes after boot.
        private static int AbiDeviceList(DeviceInfo* buffer, int max)
        {
            int n = PciBus.Count;
            if (buffer == null || max <= 0) return n;
            if (max > PciBus.MaxDevices) max = PciBus.MaxDevices;
            for (int i = 0; i < n && i < max; i++) buffer[i] = *PciBus.At(i);
            return n;
        }
    }
}
