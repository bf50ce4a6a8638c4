namespace Singularity.Tests.Kernel;

/// <summary>
/// PCI enumeration (Kernel/Kernel/IO/Pci) on QEMU's default `pc` machine (i440FX): the host
/// bridge, the PIIX3 functions, the standard VGA device and the e1000 NIC QEMU adds by default,
/// with the BAR kinds and sizes QEMU gives them (hw/display/bochs-display/vga-pci: a 16 MiB
/// prefetchable framebuffer and a 4 KiB MMIO BAR; hw/net/e1000: 128 KiB MMIO and 64 I/O ports;
/// PIIX IDE: 16 bus-master I/O ports at BAR4).
/// </summary>
public class DeviceTests
{
    [Fact]
    public void DebugConsoleDevicesListsThePciFunctionsWithTheirResources()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            Script = new[] { new ScriptStep("kdb> ", "devices\n") },
            StopWhen = "devices: listed",
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        boot.Match(@"^devices: 00:00\.0 8086:1237 class 06/00/00 host bridge\r?$");
        boot.Match(@"^devices: 00:01\.0 8086:7000 class 06/01/00 ISA bridge multifunction\r?$");
        boot.Match(@"^devices: 00:01\.1 8086:7010 class 01/01/80 IDE controller multifunction\r?$");
        boot.Match(@"^devices: 00:02\.0 1234:1111 class 03/00/00 VGA controller\r?$");
        boot.Match(@"^devices: 00:03\.0 8086:100e class 02/00/00 Ethernet controller irq \d+ pin A\r?$");
        string serial = boot.Serial;
        // Each device's BARs follow its own line.
        Assert.Matches(@"02\.0 1234:1111[^\n]*\n(\r?devices:   bar[^\n]*\n)*?devices:   bar0 mem32 prefetchable 0x00000000[0-9a-f]{8} size 16777216", serial.Replace("\r", ""));
        Assert.Matches(@"02\.0 1234:1111[^\n]*\n(devices:   bar[^\n]*\n)*?devices:   bar2 mem32 0x00000000[0-9a-f]{8} size 4096", serial.Replace("\r", ""));
        Assert.Matches(@"03\.0 8086:100e[^\n]*\ndevices:   bar0 mem32 0x00000000[0-9a-f]{8} size 131072\ndevices:   bar1 io 0x000000000000[0-9a-f]{4} size 64\n", serial.Replace("\r", ""));
        Assert.Matches(@"01\.1 8086:7010[^\n]*\ndevices:   bar4 io 0x000000000000[0-9a-f]{4} size 16\n", serial.Replace("\r", ""));
        // Probing restored every BAR: the addresses are the firmware's, not all ones or zero.
        boot.DoesNotContain("0x00000000ffff").DoesNotContain("mem32 0x0000000000000000");
        boot.Match(@"^devices: listed 6 functions\r?$");
    }

    [Fact]
    public void ShellDevicesListsThemThroughTheKernel()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "sips=console,shell",
            Sips = new[] { "console", "shell" },
            Script = new[] { new ScriptStep("sh> ", "devices\n") },
            StopWhen = "devices: listed",
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        string serial = boot.Serial.Replace("\r", "");
        Assert.Matches(@"devices: 00:00\.0 8086:1237 class 06/00/00\n", serial);
        Assert.Matches(@"devices: 00:03\.0 8086:100e class 02/00/00 irq \d+\ndevices:   bar0 mem32 0x00000000[0-9a-f]{8} size 131072\ndevices:   bar1 io 0x000000000000[0-9a-f]{4} size 64\n", serial);
        Assert.Matches(@"devices: 00:02\.0 1234:1111 class 03/00/00\ndevices:   bar0 mem32 prefetchable 0x00000000[0-9a-f]{8} size 16777216\n", serial);
        boot.Match(@"^devices: listed 6 functions\r?$");
    }
}
