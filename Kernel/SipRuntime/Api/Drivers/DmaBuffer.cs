using System;
using Singularity.Ipc;
using Singularity.Runtime;

namespace Singularity.Drivers
{
    /// <summary>
    /// Memory a driver's device reaches by DMA (docs/drivers.md "DMA buffers"): an exchange block
    /// of whole, physically contiguous pages, charged to this SIP's exchange quota, with the address
    /// the device uses for it (its physical address, which is also its I/O virtual address when the
    /// IOMMU is on). Only a driver holding a PCI device gets one. <see cref="Give"/> turns it into an
    /// ExBuffer to send to a client (a received packet, a disk block); <see cref="Take"/> makes a
    /// received one a DMA buffer again. With the IOMMU on, the device reaches exactly the DMA
    /// buffers its driver holds at that moment. Only a SIP whose manifest declares a [Device] may
    /// use this type (SV0403).
    /// </summary>
    /// <safety>Holds an exchange block handle of this SIP, reached only through ExBlock's checked
    /// accesses (the header's check word says whether this SIP still owns it), and a copy of the device
    /// address, which gives no access to anything: only the device uses it.</safety>
    public sealed unsafe class DmaBuffer
    {
        /// <summary>The largest buffer: 4 MiB.</summary>
        /// <safety>A constant.</safety>
        public const int MaxLength = 4 * 1024 * 1024;

        private ExBlock _block;

        /// <summary>The address the device uses for offset 0 of the buffer.</summary>
        /// <safety>A copy the kernel gave; knowing it gives no access.</safety>
        public ulong DeviceAddress { get; private set; }

        private DmaBuffer(ExBlock block, ulong deviceAddress) { _block = block; DeviceAddress = deviceAddress; }

        /// <summary>
        /// A zeroed DMA buffer of at least <paramref name="length"/> bytes (rounded up to whole
        /// pages, 4 KiB aligned). ArgumentOutOfRangeException for a length outside 1..4 MiB;
        /// InvalidOperationException when this SIP holds no PCI device, or its exchange quota or
        /// the machine's contiguous memory is short (the kernel log says which).
        /// </summary>
        /// <safety>The length is checked here and again by the kernel, which also checks the grant
        /// and the quota; the kernel writes the device address into a local of this method.</safety>
        /// <unsafe>Passes the address of a local ulong for the kernel to fill.</unsafe>
        public static DmaBuffer Allocate(int length)
        {
            if (length <= 0 || length > MaxLength) throw new ArgumentOutOfRangeException("length");
            ulong address = 0;
            ulong h = KernelCalls.Abi->DmaAllocate((ulong)length, &address);
            if (h == 0) throw new InvalidOperationException("no DMA buffer: this SIP holds no PCI device, or its exchange quota or memory is short");
            return new DmaBuffer(new ExBlock(h), address);
        }

        /// <summary>
        /// Makes a received exchange block a DMA buffer again (a ring buffer a client gives back).
        /// InvalidOperationException when it is not a DMA block this SIP owns; the block stays this
        /// SIP's either way.
        /// </summary>
        /// <safety>Asks the kernel for the device address of the handle, which it gives only for a
        /// DMA block the caller owns.</safety>
        /// <unsafe>A call through the ABI table with a plain value.</unsafe>
        public static DmaBuffer Take([Singularity.Channels.Claims] Singularity.Channels.ExBuffer received)
        {
            ulong h = received.Block.Handle;
            ulong address = KernelCalls.Abi->DmaAddress(h);
            if (address == 0) throw new InvalidOperationException("not a DMA buffer this SIP owns");
            return new DmaBuffer(received.Block, address);
        }

        /// <summary>
        /// The buffer as an ExBuffer to send (the device stops reaching it once it is sent, with the
        /// IOMMU on); this DmaBuffer is empty afterwards. InvalidOperationException when it is empty.
        /// </summary>
        /// <safety>Hands over the handle and forgets it: the ExBuffer's own checks apply from then on.</safety>
        public Singularity.Channels.ExBuffer Give()
        {
            ExBlock b = _block;
            if (b.IsNull) throw new InvalidOperationException("the DMA buffer was given away or freed");
            _block = default;
            DeviceAddress = 0;
            return new Singularity.Channels.ExBuffer(b);
        }

        /// <summary>Its length in bytes (whole pages).</summary>
        /// <safety>ExBlock.Length: checks this SIP owns the block.</safety>
        public int Length => _block.Length;

        /// <summary>The byte at <paramref name="offset"/>.</summary>
        /// <safety>ExBlock's checked indexer.</safety>
        public byte Read8(int offset) => _block[offset];

        /// <summary>Writes the byte at <paramref name="offset"/>.</summary>
        /// <safety>ExBlock's checked indexer.</safety>
        public void Write8(int offset, byte value) => _block[offset] = value;

        /// <summary>The 32-bit value at <paramref name="offset"/> (a multiple of 4).</summary>
        /// <safety>Alignment checked here (ArgumentOutOfRangeException); the element access is bounds-checked by ExBlock.</safety>
        public uint Read32(int offset)
        {
            if ((offset & 3) != 0) throw new ArgumentOutOfRangeException("offset");
            return _block.ReadElement<uint>(offset >> 2);
        }

        /// <summary>Writes the 32-bit value at <paramref name="offset"/> (a multiple of 4).</summary>
        /// <safety>As Read32.</safety>
        public void Write32(int offset, uint value)
        {
            if ((offset & 3) != 0) throw new ArgumentOutOfRangeException("offset");
            _block.WriteElement<uint>(offset >> 2, value);
        }

        /// <summary>The 64-bit value at <paramref name="offset"/>.</summary>
        /// <safety>ExBlock.ReadInt64: range checked in 64 bits.</safety>
        public ulong Read64(int offset) => (ulong)_block.ReadInt64(offset);

        /// <summary>Writes the 64-bit value at <paramref name="offset"/>.</summary>
        /// <safety>ExBlock.WriteInt64: range checked in 64 bits.</safety>
        public void Write64(int offset, ulong value) => _block.WriteInt64(offset, (long)value);

        /// <summary>Frees the buffer (the device stops reaching it before its memory is reused). InvalidOperationException when it is empty.</summary>
        /// <safety>ExBlock.Free: only a block this SIP owns.</safety>
        public void Free()
        {
            ExBlock b = _block;
            if (b.IsNull) throw new InvalidOperationException("the DMA buffer was given away or freed");
            _block = default;
            DeviceAddress = 0;
            b.Free();
        }
    }
}
