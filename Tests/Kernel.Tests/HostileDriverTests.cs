namespace Singularity.Tests.Kernel;

/// <summary>
/// Driver SIPs and their grants (Kernel/Kernel/IO/Drivers, docs/drivers.md): a driver reaching
/// for a port or MMIO offset outside its grant fails alone (bystander keeps going, no panic,
/// kernel memory back at baseline); a driver asking for another driver's ports, or for a device
/// another driver holds, does not start, with the reason in the log; when a driver ends its
/// device is quiesced and its grant released, so the next driver gets it.
/// Test SIPs: Tests/TestSips/PortDriver (legacy, port 0x80), PortRival (the same port),
/// VgaProbe (PCI, QEMU's standard VGA 1234:1111).
/// </summary>
public class HostileDriverTests
{
    // The Bochs display interface ID register reads 0xB0C0-0xB0C5.
    private const string DispiId = @"vgaprobe: dispi id 452(4[89]|5[0-3]) in 4096 bytes";

    [Fact]
    public void DriversReachingOutsideTheirGrantFailAlone()
    {
        // A grant is charged and freed exactly: not a byte of kernel heap more after each driver.
        var result = DriverAttacks.RunExactly(HostileScenario.Named("drivers outside their grants")
            .Attack("portdriver outside", AttackOutcome.Fails(@"^I/O port access outside its grant$", "portdriver: read its own port"))
            .Attack("portdriver outside-far", AttackOutcome.Fails(@"^I/O port access outside its grant$"))
            .Attack("vgaprobe outside", AttackOutcome.Fails(@"^I/O memory access outside its grant$", DispiId))
            .Attack("vgaprobe negative", AttackOutcome.Fails(@"^I/O memory access outside its grant$"))
            .Attack("vgaprobe unaligned", AttackOutcome.Fails(@"^I/O memory access outside its grant$"))
            .Attack("vgaprobe ports", AttackOutcome.Exits(0, "no port range, as the device has none")));
        result.Log.Match(@"io: portdriver#\d+ port access: range 0 offset 0x0000000000000001 width 1: outside its grant");
        result.Log.Match(@"io: vgaprobe#\d+ memory access: range 1 offset 0x0000000000001000 width 4: outside its grant");
        result.Log.Match(@"io: vgaprobe#\d+ memory access: range 1 offset 0xffffffffffffffff width 1: outside its grant");
        result.Log.Match(@"io: vgaprobe#\d+ memory access: range 1 offset 0x0000000000000501 width 4: outside its grant");
        // Each driver's grant went with it (a PCI driver's device quiesced first).
        result.Log.Match(@"io: vgaprobe#\d+'s device quiesced \(bus mastering and interrupts off\) and its grant released");
        result.Log.Match(@"io: portdriver#\d+'s grant released");
    }

    [Fact]
    public void ADriverWaitingOnAnInterruptItWasNotGrantedFailsAlone()
    {
        // Test SIP: Tests/TestSips/IrqThief (granted line 5; calls the ABI table with forged indexes).
        // Interrupt objects are fixed slots: not a byte of kernel heap more after each driver.
        var result = DriverAttacks.RunExactly(HostileScenario.Named("interrupts outside the grant")
            .Attack("irqthief own", AttackOutcome.Exits(0, "irqthief: own line waited: 0"))
            .Attack("irqthief other", AttackOutcome.Fails(@"^interrupt outside its grant$"))
            .Attack("irqthief negative", AttackOutcome.Fails(@"^interrupt outside its grant$"))
            .Attack("irqthief keyboard", AttackOutcome.Fails(@"^interrupt outside its grant$"))
            .Attack("portdriver irq", AttackOutcome.Exits(0, "portdriver: no interrupt line granted")));
        result.Log.Match(@"io: irqthief#\d+ interrupt wait: index 1: not in its grant");
        result.Log.Match(@"io: irqthief#\d+ interrupt wait: index -1: not in its grant");
        result.Log.Match(@"io: irqthief#\d+ interrupt acknowledge: index 7: not in its grant");
        result.Log.Match(@"io: irqthief#\d+'s grant released");
    }

    [Fact]
    public void AGrantThatOverlapsAnotherDriversIsRefusedAtStartAndFreeOnceItEnds()
    {
        var result = HostileScenario.Named("overlapping driver grants")
            .AlsoAtBoot("portdriver")
            .Module("portrival")
            .ThenConsole("start portrival", @"sip portrival not started: its I/O ports overlap another driver's grant")
            .ThenConsole("start vgaprobe hold", @"vgaprobe: holding")
            .ThenConsole("start vgaprobe hold", @"sip vgaprobe not started: its device is held by another driver")
            .ThenConsole("kill vgaprobe", @"io: vgaprobe#\d+'s device quiesced")
            // Restarted on a quiesced device: it gets its BARs again.
            .Attack("vgaprobe outside", AttackOutcome.Fails(@"^I/O memory access outside its grant$", DispiId))
            .ThenConsole("start vgaprobe id", @"sip vgaprobe#\d+ exited with code 0")
            .ThenConsole("kill portdriver", @"io: portdriver#\d+'s grant released")
            .ThenConsole("start portrival", @"portrival: holding ports 128\+1")
            .ThenConsole("devices", @"devices: listed")
            .AttackLimit(100).Timeout(TimeSpan.FromSeconds(120))
            .Run()
            .NoKernelPanic();
        result.Log.DoesNotContain("WRONG");
        result.Log.Contains("io: portrival gets no hardware: its I/O ports overlap another driver's grant");
        result.Log.Match(@"devices: driver portrival#\d+ ports 0x0080\+1");
        result.Log.InOrder("its device is held by another driver", "vgaprobe: dispi id");
    }
}
