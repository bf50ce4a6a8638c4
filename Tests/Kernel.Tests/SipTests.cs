using System.Globalization;
using System.Text.RegularExpressions;

namespace Singularity.Tests.Kernel;

/// <summary>SIPs on the kernel: separate builds, concurrency, threads, GC, quotas, many SIPs, bad images.</summary>
public class SipTests
{
    /// <summary>The values a counter SIP printed, in order.</summary>
    internal static List<long> CounterValues(string serial, int sipId) =>
        Regex.Matches(serial, $@"^counter#{sipId}: (\d+)\r?$", RegexOptions.Multiline)
             .Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

    [Fact]
    public void TwoSeparatelyBuiltSipsRunConcurrently()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            Sips = new[] { "counter", "threadsdemo" },
            StopWhen = "counter#1: 15",
        }).Exited(QemuExit.StoppedByHarness);
        boot.Contains("sip counter#1 started").Contains("sip threadsdemo#2 started")
            .Contains("threadsdemo: event hand-off 42, mutex counter 400 (expected 400)")
            .Contains("sip threadsdemo#2 exited with code 0");
        // Interleaved: the counter printed both before and after the other SIP finished.
        int done = boot.Serial.IndexOf("sip threadsdemo#2 exited", StringComparison.Ordinal);
        Assert.Contains("counter#1: 1", boot.Serial[..done]);
        Assert.Contains("counter#1: 15", boot.Serial[done..]);
    }

    [Fact]
    public void ThreadsInsideASipSynchronise()
    {
        BootAssert.Boot(new BootOptions { CommandLine = "shutdown", Sips = new[] { "threadsdemo" } })
            .Exited(QemuExit.Success)
            .Contains("threadsdemo: event hand-off 42, mutex counter 400 (expected 400)")
            .Contains("sip threadsdemo#1 exited with code 0");
    }

    [Fact]
    public void ArgumentsReachTheSip()
    {
        BootAssert.Boot(new BootOptions { CommandLine = "shutdown", Sips = new[] { "hello alpha beta" } })
            .Exited(QemuExit.Success)
            .Contains("hello from SIP hello#1 (arguments: 'alpha beta')")
            .InOrder("sip hello#1 exited with code 0", "singularity: shutting down");
    }

    [Fact]
    public void TheHeapQuotaComesFromTheManifest()
    {
        // hello declares [assembly: SipManifest("hello", HeapQuotaMiB = 2)], which wins over the
        // kernel's default for SIPs without one (sipquota=, here 3 MiB).
        BootAssert.Boot(new BootOptions { CommandLine = "sipquota=3 shutdown", Sips = new[] { "hello" } })
            .Exited(QemuExit.Success)
            .Contains("hello: heap quota 2048 KiB")
            .Contains("sip hello#1 exited with code 0");
    }

    [Fact]
    public void SixtyFourSipsRunAtOnce()
    {
        var boot = BootAssert.Boot(new BootOptions { CommandLine = "shutdown sips=worker*64", Sips = new[] { "worker" }, MemoryMiB = 256 })
            .Exited(QemuExit.Success);
        Assert.Equal(64, Regex.Matches(boot.Serial, @"^sip worker#\d+ started", RegexOptions.Multiline).Count);
        Assert.Equal(64, Regex.Matches(boot.Serial, @"^worker#\d+ done \d+", RegexOptions.Multiline).Count);
        Assert.Equal(64, Regex.Matches(boot.Serial, @"^sip worker#\d+ exited with code 0", RegexOptions.Multiline).Count);
        // All 64 were alive together: every start precedes the first completion.
        int lastStart = boot.Serial.LastIndexOf("started", StringComparison.Ordinal);
        int firstDone = boot.Serial.IndexOf(" done ", StringComparison.Ordinal);
        Assert.True(lastStart < firstDone, "a worker finished before all 64 had started");
    }

    [Fact]
    public void CollectorLetsASipAllocateHundredTimesItsQuota()
    {
        var boot = BootAssert.Boot(new BootOptions { CommandLine = "shutdown sipquota=2", Sips = new[] { "gcstress" } })
            .Exited(QemuExit.Success)
            .Contains("sip gcstress#1 exited with code 0");
        var m = boot.Match(@"gcstress: allocated (\d+) KiB with a quota of (\d+) KiB in (\d+) collections; heap now (\d+) KiB; survivors intact");
        long allocated = long.Parse(m.Groups[1].Value), quota = long.Parse(m.Groups[2].Value), heap = long.Parse(m.Groups[4].Value);
        Assert.Equal(2048, quota);
        Assert.True(allocated >= 100 * quota, $"allocated only {allocated} KiB");
        Assert.True(long.Parse(m.Groups[3].Value) > 0, "no collection ran");
        Assert.True(heap <= quota, $"heap {heap} KiB exceeds the quota");
    }

    [Fact]
    public void SipThatKeepsEverythingIsStoppedAtItsQuota()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "sipquota=2",
            Sips = new[] { "counter", "hog" },
            Script = new[] { new ScriptStep("sip hog#2 failed", ""), new ScriptStep("counter#1: ", "") },
            StopWhen = "counter#1: ",
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        boot.Match(@"sip hog#2 failed: heap quota exceeded \(\d+ KiB in use, quota 2048 KiB, request \d+ bytes\)");
        // The bystander counts on after the hog is stopped.
        int failed = boot.Serial.IndexOf("sip hog#2 failed", StringComparison.Ordinal);
        Assert.NotEmpty(CounterValues(boot.Serial[failed..], 1));
    }

    [Fact]
    public void InfiniteLoopDoesNotStarveOtherSips()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            Sips = new[] { "spinner", "counter" },
            StopWhen = "counter#2: 20",
            Timeout = TimeSpan.FromSeconds(60),
        });
        boot.Exited(QemuExit.StoppedByHarness).Contains("spinner: spinning forever");
        int spin = boot.Serial.IndexOf("spinner: spinning forever", StringComparison.Ordinal);
        Assert.True(CounterValues(boot.Serial[spin..], 2).Count >= 10, "the counter barely ran next to the spinner");
    }

    [Fact]
    public void CorruptImagesAreRefusedAndBootContinues()
    {
        string dir = Path.Combine(QemuRunner.RepoRoot, "artifacts", "test-images");
        Directory.CreateDirectory(dir);
        string notElf = Path.Combine(dir, "notelf.elf");
        File.WriteAllText(notElf, string.Concat(Enumerable.Repeat("this is not an executable image\n", 8)));
        string tiny = Path.Combine(dir, "tiny.elf");
        File.WriteAllText(tiny, "ELF?");
        string truncated = Path.Combine(dir, "truncated.elf");
        byte[] hello = File.ReadAllBytes(Path.Combine(QemuRunner.RepoRoot, "artifacts", "sips", "hello.elf"));
        File.WriteAllBytes(truncated, hello[..200]);
        string flipped = Path.Combine(dir, "flipped.elf");
        byte[] copy = (byte[])hello.Clone();
        copy[16] = 2;                               // ET_EXEC instead of ET_DYN
        File.WriteAllBytes(flipped, copy);
        // A loadable segment whose address + size wraps past 2^64: it would land outside the image's span.
        string wrapped = Path.Combine(dir, "wrapped.elf");
        byte[] wrap = (byte[])hello.Clone();
        long phoff = BitConverter.ToInt64(wrap, 32);
        int phnum = BitConverter.ToUInt16(wrap, 56), loads = 0;
        for (int i = 0; i < phnum; i++)
        {
            int ph = (int)phoff + i * 56;
            if (BitConverter.ToUInt32(wrap, ph) != 1 || ++loads != 2) continue;
            BitConverter.GetBytes(0xFFFF_FFFF_FFFF_F000UL).CopyTo(wrap, ph + 16);
            BitConverter.GetBytes(0x2000UL).CopyTo(wrap, ph + 40);
        }
        Assert.Equal(2, Math.Min(loads, 2));
        File.WriteAllBytes(wrapped, wrap);

        BootAssert.Boot(new BootOptions { CommandLine = "shutdown", Modules = new[] { notElf, tiny, truncated, flipped, wrapped }, Sips = new[] { "hello" } })
            .Exited(QemuExit.Success)
            .Contains("sip notelf not started: not an ELF file (bad magic)")
            .Contains("sip tiny not started: file too small for an ELF header")
            .Contains("sip truncated not started: program headers lie outside the file")
            .Contains("sip flipped not started: not a position-independent image")
            .Contains("sip wrapped not started: a segment's address range overflows")
            .Contains("sip hello#1 exited with code 0");
    }
}
