using Singularity.Runtime;

namespace Singularity.Drivers
{
    /// <summary>
    /// A range of I/O ports the kernel granted this driver SIP (docs/drivers.md): a PCI driver's
    /// I/O BARs in BAR order, a legacy driver's [IoPorts] in manifest order. Reads and writes name
    /// an offset into the range; the kernel checks range, offset and width against the grant, and
    /// an access outside it fails this SIP (and nothing else). Only a SIP whose manifest declares
    /// a [Device] may use this type (the verifier refuses it elsewhere, SV0240).
    /// </summary>
    /// <safety>Holds an index into the caller's own grant, which the kernel resolves and checks on
    /// every access; a forged or stale index reaches nothing the caller was not granted.</safety>
    public sealed unsafe class IoPortRange
    {
        private readonly int _index;

        /// <summary>The first port.</summary>
        /// <safety>A copy of the kernel's grant, read-only.</safety>
        public ushort Base { get; }

        /// <summary>How many ports.</summary>
        /// <safety>A copy of the kernel's grant, read-only.</safety>
        public int Length { get; }

        private IoPortRange(int index, ushort b, int length) { _index = index; Base = b; Length = length; }

        /// <summary>The caller's <paramref name="index"/>th port range, or null when it holds none.</summary>
        /// <safety>Asks the kernel for the caller's own grant; any index is checked there.</safety>
        /// <unsafe>Passes a local pair of ulongs for the kernel to fill.</unsafe>
        public static IoPortRange Granted(int index)
        {
            ulong* info = stackalloc ulong[2];
            if (KernelCalls.Abi->IoRange(0, index, info) != 0) return null;
            return new IoPortRange(index, (ushort)info[0], (int)info[1]);
        }

        /// <summary>Reads the byte port at <paramref name="offset"/>.</summary>
        /// <safety>The kernel checks the offset against the grant; outside it this SIP fails.</safety>
        /// <unsafe>A call through the ABI table with plain values.</unsafe>
        public byte Read8(int offset) => (byte)KernelCalls.Abi->PortRead(_index, (ulong)(long)offset, 1);

        /// <summary>Reads the 16-bit port at <paramref name="offset"/>.</summary>
        /// <safety>The kernel checks the offset against the grant; outside it this SIP fails.</safety>
        /// <unsafe>A call through the ABI table with plain values.</unsafe>
        public ushort Read16(int offset) => (ushort)KernelCalls.Abi->PortRead(_index, (ulong)(long)offset, 2);

        /// <summary>Reads the 32-bit port at <paramref name="offset"/>.</summary>
        /// <safety>The kernel checks the offset against the grant; outside it this SIP fails.</safety>
        /// <unsafe>A call through the ABI table with plain values.</unsafe>
        public uint Read32(int offset) => (uint)KernelCalls.Abi->PortRead(_index, (ulong)(long)offset, 4);

        /// <summary>Writes the byte port at <paramref name="offset"/>.</summary>
        /// <safety>The kernel checks the offset against the grant; outside it this SIP fails.</safety>
        /// <unsafe>A call through the ABI table with plain values.</unsafe>
        public void Write8(int offset, byte value) => KernelCalls.Abi->PortWrite(_index, (ulong)(long)offset, 1, value);

        /// <summary>Writes the 16-bit port at <paramref name="offset"/>.</summary>
        /// <safety>The kernel checks the offset against the grant; outside it this SIP fails.</safety>
        /// <unsafe>A call through the ABI table with plain values.</unsafe>
        public void Write16(int offset, ushort value) => KernelCalls.Abi->PortWrite(_index, (ulong)(long)offset, 2, value);

        /// <summary>Writes the 32-bit port at <paramref name="offset"/>.</summary>
        /// <safety>The kernel checks the offset against the grant; outside it this SIP fails.</safety>
        /// <unsafe>A call through the ABI table with plain values.</unsafe>
        public void Write32(int offset, uint value) => KernelCalls.Abi->PortWrite(_index, (ulong)(long)offset, 4, value);
    }
}
