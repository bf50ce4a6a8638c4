using Singularity.Kernel.Arch;

namespace Singularity.Kernel.IO.Pci
{
    /// <summary>
    /// PCI configuration space through the legacy mechanism #1: an address written to 0xCF8
    /// (enable bit, bus, device, function, dword-aligned register), the data at 0xCFC. Each access
    /// is one address/data pair with interrupts off, so no other access can slip between them.
    /// </summary>
    internal static class PciConfig
    {
        private const ushort AddressPort = 0xCF8, DataPort = 0xCFC;

        private static uint Address(int bus, int device, int function, int offset) =>
            0x80000000u | ((uint)(bus & 0xFF) << 16) | ((uint)(device & 0x1F) << 11) | ((uint)(function & 7) << 8) | ((uint)offset & 0xFC);

        public static uint Read32(int bus, int device, int function, int offset)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            Cpu.OutL(AddressPort, Address(bus, device, function, offset));
            uint v = Cpu.InL(DataPort);
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return v;
        }

        public static void Write32(int bus, int device, int function, int offset, uint value)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            Cpu.OutL(AddressPort, Address(bus, device, function, offset));
            Cpu.OutL(DataPort, value);
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }

        public static ushort Read16(int bus, int device, int function, int offset) =>
            (ushort)(Read32(bus, device, function, offset) >> ((offset & 2) * 8));

        public static byte Read8(int bus, int device, int function, int offset) =>
            (byte)(Read32(bus, device, function, offset) >> ((offset & 3) * 8));

        /// <summary>Writes the 16-bit register at an even offset, keeping the other half of its dword.</summary>
        public static void Write16(int bus, int device, int function, int offset, ushort value)
        {
            int shift = (offset & 2) * 8;
            uint old = Read32(bus, device, function, offset);
            // The status register (0x06) clears bits written as 1: never write its bits back.
            if ((offset & ~3) == 0x04 && shift == 0) old &= 0x0000FFFF;
            uint v = (old & ~(0xFFFFu << shift)) | ((uint)value << shift);
            Write32(bus, device, function, offset, v);
        }
    }
}
