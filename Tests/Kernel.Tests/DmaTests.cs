using System.Text.RegularExpressions;

namespace Singularity.Tests.Kernel;

/// <summary>
/// DMA buffers and IOMMU confinement (Kernel/Kernel/IO/DmaBuffers.cs, IO/Iommu, docs/drivers.md
/// "DMA buffers" and "IOMMU"). The device is QEMU's e1000 (8086:100e): a transmit descriptor ring
/// makes it read by DMA (the descriptor, the packet) and write by DMA (the descriptor's done bit).
/// The driver is Tests/TestSips/E1000Dma. Without an IOMMU (QEMU's default `pc` machine, whose
/// NIC is an e1000) a DMA buffer works and hostile sizes are refused; on q35 with `intel-iommu`
/// the device reaches its driver's DMA buffer and nothing else: pointed at kernel memory, its
/// read is blocked and logged, and nothing else changes.
/// </summary>
public class DmaTests
{
    private const string Done = @"e1000dma: descriptor done by DMA, head 1";

    [Fact]
    public void ADmaBufferWorksWithoutAnIommuAndHostileSizesAreRefused()
    {
        var result = HostileScenario.Named("dma buffers without an iommu")
            .Attack("e1000dma ring", AttackOutcome.Exits(0, Done))
            // Freed while the device may still reach it: without an IOMMU its frames wait for the quiesce.
            .Attack("e1000dma stale", AttackOutcome.Exits(0, Done, "e1000dma: pointed the device at its freed buffer"))
            .Attack("e1000dma sizes", AttackOutcome.Exits(0,
                "e1000dma: sizes refused 6, 4 MiB buffer of 4194304 bytes, 1-byte buffer of 4096 bytes",
                "e1000dma: quota reached after 2 more 4 MiB buffers",
                "e1000dma: a second free is refused"))
            .AttackLimit(100).Timeout(TimeSpan.FromSeconds(150))
            .Run();
        result.KernelHeapAllowance = 0;
        result.ChildRecordAllowance = 0;
        result.FailedAlone();
        result.Log.DoesNotContain("WRONG");
        result.Log.Contains("iommu: none (no DMAR table)");
        result.Log.Match(@"e1000dma: DMA buffer of 4096 bytes at device address 0x0000000000[0-9a-f]{3}000");
        // The 5th 4 MiB buffer passes the 16 MiB exchange quota: refused with its reason, the driver goes on.
        result.Log.Match(@"io: e1000dma#\d+ gets no DMA buffer of 4194304 bytes: its exchange quota or the machine's contiguous memory is short");
        result.Log.Match(@"io: e1000dma#\d+'s device quiesced \(bus mastering and interrupts off\) and its grant released");
    }

    [Fact]
    public void TheIommuConfinesADriversDmaToItsOwnBuffers()
    {
        var result = HostileScenario.Named("dma confined by the iommu")
            .OnMachine(QemuOptions.Q35, QemuOptions.IntelIommu, QemuOptions.E1000)
            // Allowed: the ring and the packet lie in the driver's DMA buffer, mapped for its device.
            .Attack("e1000dma ring", AttackOutcome.Exits(0, Done))
            // The bug: the ring base at kernel memory (1 MiB). The device's read is blocked.
            .Attack("e1000dma kernel", AttackOutcome.Exits(0, "e1000dma: pointed the device at kernel memory"))
            // A buffer freed after a DMA that worked: the device reading it again is blocked (unmapped,
            // the IOTLB entry the first read left invalidated).
            .Attack("e1000dma stale", AttackOutcome.Exits(0, Done, "e1000dma: pointed the device at its freed buffer"))
            // Once the driver has ended its device is forgotten; a new driver gets a clean domain.
            .Attack("e1000dma ring", AttackOutcome.Exits(0, Done))
            .AttackLimit(100).Timeout(TimeSpan.FromSeconds(180))
            .Run();
        result.KernelHeapAllowance = 0;
        result.ChildRecordAllowance = 0;
        result.FailedAlone();
        result.Log.DoesNotContain("WRONG");
        string log = result.Log.Serial;
        result.Log.Match(@"iommu: VT-d at 0x[0-9a-f]+, (39|48)-bit domains, \d+ fault records: DMA confined to each driver's DMA buffers");

        // The e1000's address on q35, from `devices`-style boot enumeration.
        var blocked = Regex.Matches(log, @"iommu: DMA blocked: device (\w\w):(\w\w)\.(\d) (read|write) 0x([0-9a-f]{16}) \(fault reason (\w\w)\)");
        // Rings: the allowed one, the one at kernel memory, the stale one, the allowed one again.
        var rings = Regex.Matches(log, @"e1000dma: ring at 0x([0-9a-f]{16}), transmitting");
        result.Log.Check(rings.Count == 4, $"{rings.Count} rings set up, expected 4");
        result.Log.Check(rings.Count < 2 || rings[1].Groups[1].Value == "0000000000100000", "the buggy ring is not at 1 MiB");
        result.Log.Check(Regex.Matches(log, Done).Count == 3, "the allowed DMA did not work each time");
        // Exactly two faults: the read at 1 MiB while the buggy driver ran, and the read of the
        // freed ring while the stale one ran; none while the allowed rings ran.
        result.Log.Check(blocked.Count == 2, $"{blocked.Count} blocked DMAs logged, expected 2: " + string.Join("; ", blocked.Select(m => m.Value)));
        if (rings.Count == 4 && blocked.Count == 2)
        {
            result.Log.Check(blocked[0].Index > rings[1].Index && blocked[0].Index < rings[2].Index
                && blocked[0].Groups[4].Value == "read" && blocked[0].Groups[5].Value == "0000000000100000",
                "the first blocked DMA is not the descriptor read at 1 MiB by the buggy driver: " + blocked[0].Value);
            result.Log.Check(blocked[1].Index > rings[2].Index && blocked[1].Index < rings[3].Index
                && blocked[1].Groups[4].Value == "read" && blocked[1].Groups[5].Value == rings[2].Groups[1].Value,
                "the second blocked DMA is not the read of the freed ring: " + blocked[1].Value);
            result.Log.Check(blocked[0].Groups[1].Value == blocked[1].Groups[1].Value && blocked[0].Groups[2].Value == blocked[1].Groups[2].Value,
                "the two faults name different devices");
        }
    }
}
