using System.Globalization;

namespace Singularity.Tests.Kernel;

/// <summary>The boot sequence: banner, memory map, clock, command line, ISO.</summary>
public class BootTests
{
    [Fact]
    public void BootPrintsBannerAndCompletes()
    {
        var boot = BootAssert.Boot("shutdown").Exited(QemuExit.Success);
        boot.Contains("Singularity 0.1 (C# kernel, ILCompiler, x86-64)")
            .InOrder("Singularity 0.1", "singularity: boot complete in ")
            .InOrder("singularity: boot complete in ", "singularity: shutting down");
        boot.Match(@"^singularity: boot complete in \d+ ms; \d+ KiB usable memory, \d+ KiB free");
    }

    [Theory]
    [InlineData(128)]
    [InlineData(512)]
    public void MemoryMapMatchesConfiguredSize(int mib)
    {
        var boot = BootAssert.Boot(new BootOptions { CommandLine = "shutdown", MemoryMiB = mib }).Exited(QemuExit.Success);
        long usableKiB = long.Parse(boot.Match(@"boot complete in \d+ ms; (\d+) KiB usable").Groups[1].Value, CultureInfo.InvariantCulture);
        // The firmware keeps the top of low memory, the BIOS area and a little at the top of RAM.
        Assert.InRange(usableKiB, (mib - 2) * 1024L, mib * 1024L);
        // The map itself is logged, and its highest usable region ends near -m.
        var regions = System.Text.RegularExpressions.Regex.Matches(boot.Serial, @"^  0x([0-9a-f]{16}) - 0x([0-9a-f]{16}) usable", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.NotEmpty(regions);
        long highestEnd = regions.Max(m => long.Parse(m.Groups[2].Value, NumberStyles.HexNumber));
        Assert.InRange(highestEnd, (mib - 1) * 1024L * 1024, mib * 1024L * 1024);
    }

    [Fact]
    public void TimerTicksAdvance()
    {
        var boot = BootAssert.Boot("test=timer shutdown").Exited(QemuExit.Success).Contains("selftest timer: passed");
        var m = boot.Match(@"timer: ticks (\d+) -> (\d+), monotonic ns (\d+) -> (\d+)");
        long t0 = long.Parse(m.Groups[1].Value), t1 = long.Parse(m.Groups[2].Value);
        long ns0 = long.Parse(m.Groups[3].Value), ns1 = long.Parse(m.Groups[4].Value);
        Assert.True(t1 >= t0 + 50, $"ticks went from {t0} to {t1} over a 50 ms sleep");
        Assert.True(ns1 - ns0 >= 50_000_000, $"the monotonic clock advanced only {ns1 - ns0} ns");
    }

    [Fact]
    public void InvalidOptionWarnsAndBootContinues()
    {
        BootAssert.Boot("bogus=1 shutdown").Exited(QemuExit.Success)
            .Contains("warning: kernel option 'bogus=1' is not a known option")
            .InOrder("warning: kernel option 'bogus=1'", "singularity: boot complete")
            .DoesNotContain("kernel.elf' is not a known option");  // the loader's image path is not an option
    }

    [Fact]
    public void MalformedOptionWarnsAndBootContinues()
    {
        BootAssert.Boot("test= shutdown").Exited(QemuExit.Success)
            .Contains("warning: kernel option 'test=' needs a test name")
            .Contains("singularity: boot complete");
    }

    [Fact]
    public void UnknownSelfTestWarnsAndBootContinues()
    {
        BootAssert.Boot("test=nosuchtest shutdown").Exited(QemuExit.Success)
            .Contains("warning: unknown self-test 'nosuchtest'")
            .Contains("singularity: shutting down");
    }

    [Fact]
    public void WithoutShutdownTheKernelIdles()
    {
        // The kernel stays up; the harness stops it once it reports idle.
        BootAssert.Boot(new BootOptions { CommandLine = "", StopWhen = "singularity: idle" })
            .Exited(QemuExit.StoppedByHarness)
            .InOrder("singularity: boot complete", "singularity: idle");
    }

    [Fact]
    public void IsoBootsThroughGrub()
    {
        string iso = Path.Combine(QemuRunner.RepoRoot, "artifacts", "test-iso", "shutdown.iso");
        IsoBuilder.Build(iso, "shutdown");
        BootAssert.Boot(new BootOptions { Iso = iso }).Exited(QemuExit.Success)
            .Contains("Singularity 0.1")
            .Contains("singularity: boot complete");
    }
}
