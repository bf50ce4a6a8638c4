namespace Singularity.Tests.Kernel;

/// <summary>The harness itself: exit-status decoding, triple faults, its timeout.</summary>
public class HarnessTests
{
    [Theory]
    [InlineData(33, QemuExit.Success)]
    [InlineData(35, QemuExit.Panic)]
    [InlineData(37, QemuExit.TestFailed)]
    [InlineData(0, QemuExit.TripleFault)]
    [InlineData(1, QemuExit.Other)]
    public void DecodesExitStatus(int status, QemuExit expected) => Assert.Equal(expected, QemuExitCodes.Decode(status));

    [Fact]
    public void TripleFaultIsReportedAsTripleFaultNotSuccess()
    {
        var result = QemuRunner.Boot(new BootOptions { CommandLine = "test=triplefault shutdown" });
        Assert.Equal(QemuExit.TripleFault, result.Exit);
        Assert.Equal(0, result.Status);
        Assert.DoesNotContain("singularity: shutting down", result.Serial);
    }

    [Fact]
    public void TimeoutKillsQemu()
    {
        // No shutdown option: the kernel idles forever, so only the harness's timeout ends the run.
        var result = QemuRunner.Boot(new BootOptions { CommandLine = "", Timeout = TimeSpan.FromSeconds(8) });
        Assert.Equal(QemuExit.Timeout, result.Exit);
        Assert.Null(result.Status);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(30), $"the harness took {result.Elapsed} to stop QEMU");
    }

    [Fact]
    public void FailedAssertionKeepsTheSerialLog()
    {
        var boot = BootAssert.Boot("shutdown", name: "FailedAssertionKeepsTheSerialLog_probe");
        var ex = Assert.ThrowsAny<Exception>(() => boot.Contains("text the kernel never prints"));
        string path = Path.Combine(QemuRunner.LogDirectory, "FailedAssertionKeepsTheSerialLog_probe.log");
        Assert.Contains(path, ex.Message);
        Assert.Contains("singularity: boot complete", File.ReadAllText(path));
        File.Delete(path);
    }

    [Fact]
    public void MonitorStepsReadMachineStateAndSendKeys()
    {
        // SeaBIOS leaves its banner in VGA text memory and the kernel does not touch the screen
        // (yet), so reading the screen back through QMP shows the banner; sendkey must be accepted.
        var result = QemuRunner.Boot(new BootOptions
        {
            CommandLine = "",
            StopWhen = "singularity: boot complete",
            Script = new[]
            {
                ScriptStep.OnMonitor("command line:", (monitor, _) =>
                    string.Join("\n", monitor.ReadVgaText()) + "\n" + monitor.Command("sendkey a") + "keys sent"),
            },
        });
        Assert.Equal(QemuExit.StoppedByHarness, result.Exit);
        Assert.Contains("SeaBIOS", result.MonitorLog);
        Assert.Contains("keys sent", result.MonitorLog);
    }

    [Fact]
    public void ParsesMonitorMemoryDumps()
    {
        var words = QemuMonitor.ParseHalfwords("00000000000b8000: 0x0748 0x0769\n00000000000b8004: 0x0721\n");
        Assert.Equal(new ushort[] { 0x0748, 0x0769, 0x0721 }, words);
    }
}
