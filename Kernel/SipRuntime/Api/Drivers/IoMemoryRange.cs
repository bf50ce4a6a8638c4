using Singularity.Runtime;

namespace Singularity.Drivers
{
    /// <summary>
    /// A range of device memory (MMIO) the kernel granted this driver SIP (docs/drivers.md): a PCI
    /// driver's memory BARs in BAR order, a legacy driver's [IoMemory] in manifest order. Accesses
    /// name an offset, naturally aligned to their width; the kernel checks range, offset, width and
    /// alignment against the grant, and an access outside it fails this SIP (and nothing else).
    /// Only a SIP whose manifest declares a [Device] may use this type (SV0240).
    /// </summary>
    /// <safety>Holds an index into the caller's own grant, which the kernel resolves and checks on
    /// every access; no address of the range is ever dereferenced by SIP code.</safety>
    public sealed unsafe class IoMemoryRange
    {
        private readonly int _index;

        /// <summary>The physical address of the range.</summary>
        /// <safety>A copy of the kernel's grant, read-only; knowing it gives no access.</safety>
        public ulong Base { get; }

        /// <summary>Its length in bytes.</summary>
        /// <safety>A copy of the kernel's grant, read-only.</safety>
        public ulong Length { get; }

        private IoMemoryRange(int index, ulong b, ulong length) { _index = index; Base = b; Length = length; }

        /// <summary>The caller's <paramref name="index"/>th memory range, or null when it holds none.</summary>
        /// <safety>Asks the kernel for the caller's own grant; any index is checked there.</safety>
        /// <unsafe>Passes a local pair of ulongs for the kernel to fill.</unsafe>
        public static IoMemoryRange Granted(int index)
        {
            ulong* info = stackalloc ulong[2];
            if (KernelCalls.Abi->IoRange(1, index, info) != 0) return null;
            return new IoMemoryRange(index, info[0], info[1]);
        }

        /// <summary>Reads the byte at <paramref name="offset"/>.</summary>
        /// <safety>The kernel checks the offset against the grant; outside it this SIP fails.</safety>
        /// <unsafe>A call through the ABI table with plain values.</unsafe>
        public byte Read8(long offset) => (byte)KernelCalls.Abi->MemoryRead(_index, (ulong)offset, 1);

        /// <summary>Reads the 16-bit value at <paramref name="offset"/>.</summary>
        /// <safety>The kernel checks the offset and alignment against the grant; outside it this SIP fails.</safety>
        /// <unsafe>A call through the ABI table with plain values.</unsafe>
        public ushort Read16(long offset) => (ushort)KernelCalls.Abi->MemoryRead(_index, (ulong)offset, 2);

        /// <summary>Reads the 32-bit value at <paramref name="offset"/>.</summary>
        /// <safety>The kernel checks the offset and alignment against the grant; outside it this SIP fails.</safety>
        /// <unsafe>A call through the ABI table with plain values.</unsafe>
        public uint Read32(long offset) => (uint)KernelCalls.Abi->MemoryRead(_index, (ulong)offset, 4);

        /// <summary>Reads the 64-bit value at <paramref name="offset"/>.</summary>
        /// <safety>The kernel checks the offset and alignment against the grant; outside it this SIP fails.</safety>
        /// <unsafe>A call through the ABI table with plain values.</unsafe>
        public ulong Read64(long offset) => KernelCalls.Abi->MemoryRead(_index, (ulong)offset, 8);

        /// <summary>Writes the byte at <paramref name="offset"/>.</summary>
        /// <safety>The kernel checks the offset against the grant; outside it this SIP fails.</safety>
        /// <unsafe>A call through the ABI table with plain values.</unsafe>
        public void Write8(long offset, byte value) => KernelCalls.Abi->MemoryWrite(_index, (ulong)offset, 1, value);

        /// <summary>Writes the 16-bit value at <paramref name="offset"/>.</summary>
        /// <safety>The kernel checks the offset and alignment against the grant; outside it this SIP fails.</safety>
        /// <unsafe>A call through the ABI table with plain values.</unsafe>
        public void Write16(long offset, ushort value) => KernelCalls.Abi->MemoryWrite(_index, (ulong)offset, 2, value);

        /// <summary>Writes the 32-bit value at <paramref name="offset"/>.</summary>
        /// <safety>The kernel checks the offset and alignment against the grant; outside it this SIP fails.</safety>
        /// <unsafe>A call through the ABI table with plain values.</unsafe>
        public void Write32(long offset, uint value) => KernelCalls.Abi->MemoryWrite(_index, (ulong)offset, 4, value);

        /// <summary>Writes the 64-bit value at <paramref name="offset"/>.</summary>
        /// <safety>The kernel checks the offset and alignment against the grant; outside it this SIP fails.</safety>
        /// <unsafe>A call through the ABI table with plain values.</unsafe>
        public void Write64(long offset, ulong value) => KernelCalls.Abi->MemoryWrite(_index, (ulong)offset, 8, value);
    }
}
