using System.Globalization;

namespace Singularity.Tests.Kernel;

/// <summary>Kernel threads and the scheduler (`test=threads`).</summary>
public class ThreadTests
{
    private static readonly Lazy<BootAssert> s_boot = new(() =>
        BootAssert.Boot("test=threads shutdown", name: nameof(ThreadTests)).Exited(QemuExit.Success));

    [Fact]
    public void SpinningThreadIsPreemptedAndOthersProgress()
    {
        var m = s_boot.Value.Match(@"threads: preemption: a=(\d+) b=(\d+) switches=(\d+)");
        Assert.True(ulong.Parse(m.Groups[1].Value) > 0, "counter a never ran");
        Assert.True(ulong.Parse(m.Groups[2].Value) > 0, "counter b never ran");
        Assert.True(int.Parse(m.Groups[3].Value) >= 10, "too few context switches for 200 ms of round-robin");
    }

    [Fact]
    public void SleepLastsAtLeastTheRequestedTime()
    {
        long us = long.Parse(s_boot.Value.Match(@"threads: sleep 30 ms took (\d+) us").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(us, 30_000, 1_000_000);
    }

    [Fact]
    public void EventBlocksUntilSetAndTimedWaitTimesOut()
    {
        var m = s_boot.Value.Match(@"threads: event order (\d+), timed wait (\w+ ?\w*) after (\d+) us");
        Assert.Equal("12", m.Groups[1].Value);
        Assert.Equal("timed out", m.Groups[2].Value);
        Assert.True(long.Parse(m.Groups[3].Value) >= 25_000);
    }

    [Fact]
    public void MutexExcludesConcurrentIncrements()
    {
        Assert.Equal("400", s_boot.Value.Match(@"threads: mutex counter (\d+)").Groups[1].Value);
    }

    [Fact]
    public void CSharpLockExcludesConcurrentIncrements()
    {
        Assert.Equal("400", s_boot.Value.Match(@"threads: lock counter (\d+)").Groups[1].Value);
    }

    [Fact]
    public void HighPriorityThreadRunsFirst()
    {
        s_boot.Value.Contains("threads: priority high ran first").Contains("selftest threads: passed");
    }
}
