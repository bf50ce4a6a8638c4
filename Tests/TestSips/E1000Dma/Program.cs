using Singularity;
using Singularity.Drivers;

// A PCI driver SIP for QEMU's e1000 (Intel 82540EM, 8086:100e), for the DMA and IOMMU tests
// (Tests/Kernel.Tests/DmaTests.cs). It makes the device read a transmit descriptor by DMA: the
// ring base goes into TDBAL/TDBAH, its length into TDLEN, head and tail to 0, transmit on in
// TCTL, then the tail to 1, and the device fetches descriptor 0 from the ring base.
// Modes: `ring` puts the ring in its own DMA buffer with one descriptor (report status asked)
// whose packet lies in the same buffer, and waits for the device to write the descriptor done
// bit back by DMA; `kernel` allocates a DMA buffer (so its device may master the bus) but points
// the ring base at kernel memory (1 MiB, the kernel image), the bug the IOMMU must contain;
// `stale` runs the ring as `ring` does, frees the buffer, then makes the device read the freed
// ring again (the IOMMU must have forgotten the page: unmapped, IOTLB invalidated);
// `hold` allocates a buffer and idles; `sizes` asks for buffers of hostile sizes.
[assembly: Device(0x8086, 0x100e)]

public static class Program
{
    private const int Tctl = 0x400, Tdbal = 0x3800, Tdbah = 0x3804, Tdlen = 0x3808, Tdh = 0x3810, Tdt = 0x3818;
    private const uint TctlEnable = 1u << 1, TctlPadShort = 1u << 3;

    public static int Main()
    {
        string mode = Sip.Arguments;
        IoMemoryRange regs = IoMemoryRange.Granted(0);
        if (regs == null) { Debug.WriteLine("e1000dma: WRONG its register BAR was not granted"); return 1; }
        if (mode == "sizes") return Sizes();
        DmaBuffer ring = DmaBuffer.Allocate(4096);
        Debug.WriteLine("e1000dma: DMA buffer of " + ring.Length.ToString() + " bytes at device address 0x" + Hex(ring.DeviceAddress));
        if ((ring.DeviceAddress & 0xFFF) != 0) { Debug.WriteLine("e1000dma: WRONG the buffer is not page-aligned"); return 1; }
        if (mode == "hold") { Debug.WriteLine("e1000dma: holding"); while (true) Singularity.Threading.Thread.Sleep(1000); }

        ulong ringBase = ring.DeviceAddress;
        if (mode == "kernel") ringBase = 0x100000;
        else
        {
            // Descriptor 0: the packet at offset 2048 of the same buffer, 64 bytes, end of packet,
            // insert checksum, report status (the device writes the done bit back).
            for (int i = 0; i < 64; i++) ring.Write8(2048 + i, (byte)(i == 12 ? 0x08 : 0xAA));
            ring.Write64(0, ring.DeviceAddress + 2048);
            ring.Write32(8, 64u | (0x0Bu << 24));
            ring.Write32(12, 0);
        }
        regs.Write32(Tctl, 0);
        regs.Write32(Tdbal, (uint)ringBase);
        regs.Write32(Tdbah, (uint)(ringBase >> 32));
        regs.Write32(Tdlen, 128);                      // 8 descriptors of 16 bytes
        regs.Write32(Tdh, 0);
        regs.Write32(Tdt, 0);
        regs.Write32(Tctl, TctlEnable | TctlPadShort);
        Debug.WriteLine("e1000dma: ring at 0x" + Hex(ringBase) + ", transmitting");
        regs.Write32(Tdt, 1);

        for (int wait = 0; wait < 50; wait++)
        {
            if (mode == "ring" && (ring.Read8(12) & 1) != 0)
            {
                Debug.WriteLine("e1000dma: descriptor done by DMA, head " + regs.Read32(Tdh).ToString());
                ring.Free();
                return 0;
            }
            if (mode == "stale" && (ring.Read8(12) & 1) != 0) break;
            Singularity.Threading.Thread.Sleep(20);
        }
        if (mode == "stale" && (ring.Read8(12) & 1) != 0)
        {
            // The allowed DMA worked (the unit has the page's translation cached now). Free the
            // buffer, then point the device at it again: the IOMMU must block the read.
            Debug.WriteLine("e1000dma: descriptor done by DMA, head " + regs.Read32(Tdh).ToString());
            ring.Free();
            regs.Write32(Tctl, 0);
            regs.Write32(Tdh, 0);
            regs.Write32(Tdt, 0);
            regs.Write32(Tctl, TctlEnable | TctlPadShort);
            regs.Write32(Tdt, 1);
            Singularity.Threading.Thread.Sleep(300);
            Debug.WriteLine("e1000dma: pointed the device at its freed buffer 0x" + Hex(ringBase) + ", head " + regs.Read32(Tdh).ToString());
            return 0;
        }
        if (mode == "kernel")
        {
            Debug.WriteLine("e1000dma: pointed the device at kernel memory, head " + regs.Read32(Tdh).ToString());
            ring.Free();
            return 0;
        }
        Debug.WriteLine("e1000dma: WRONG the device did not complete the descriptor (head " + regs.Read32(Tdh).ToString() + ")");
        return 1;
    }

    // Hostile sizes: each is refused with ArgumentOutOfRangeException before the kernel.
    private static int Sizes()
    {
        int refused = 0;
        foreach (int length in new[] { 0, -1, -4096, DmaBuffer.MaxLength + 1, int.MaxValue, int.MinValue })
        {
            try { DmaBuffer.Allocate(length); Debug.WriteLine("e1000dma: WRONG a buffer of " + length.ToString() + " bytes"); }
            catch (System.ArgumentOutOfRangeException) { refused++; }
        }
        DmaBuffer max = DmaBuffer.Allocate(DmaBuffer.MaxLength);
        DmaBuffer one = DmaBuffer.Allocate(1);
        Debug.WriteLine("e1000dma: sizes refused " + refused.ToString() + ", 4 MiB buffer of " + max.Length.ToString() + " bytes, 1-byte buffer of " + one.Length.ToString() + " bytes");
        // Past the exchange quota: allocations stop with InvalidOperationException, nothing else.
        int got = 0;
        try { while (got < 64) { DmaBuffer.Allocate(DmaBuffer.MaxLength); got++; } }
        catch (System.InvalidOperationException) { Debug.WriteLine("e1000dma: quota reached after " + got.ToString() + " more 4 MiB buffers"); }
        one.Free();
        try { one.Free(); Debug.WriteLine("e1000dma: WRONG freed twice"); }
        catch (System.InvalidOperationException) { Debug.WriteLine("e1000dma: a second free is refused"); }
        return 0;
    }

    private static string Hex(ulong v)
    {
        const string digits = "0123456789abcdef";
        var s = new System.Text.StringBuilder();
        for (int shift = 60; shift >= 0; shift -= 4) s.Append(digits[(int)((v >> shift) & 0xF)]);
        return s.ToString();
    }
}
