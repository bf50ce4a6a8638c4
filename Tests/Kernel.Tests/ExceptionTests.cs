namespace Singularity.Tests.Kernel;

/// <summary>
/// try/catch/finally, filters, rethrow, `using` and CPU faults turned into exceptions, in
/// kernel code (`test=exceptions`) and in a SIP (the Exceptions test SIP runs the same source).
/// </summary>
public class ExceptionTests
{
    // Every scenario in Kernel/Kernel/Diagnostics/ExceptionScenarios.cs; each must report ok.
    internal static readonly string[] Scenarios =
    {
        "catch-by-type", "catch-by-base-type", "catch-order", "finally-normal-exit", "finally-on-return",
        "nested-finally-in-loops", "rethrow-preserves", "throw-new-in-catch", "throw-in-finally",
        "filter-true", "filter-false", "filter-that-throws", "across-virtual-call", "across-interface-call",
        "across-generic-call", "using-disposes", "deep-unwind", "null-dereference", "divide-by-zero",
        "index-out-of-range", "checked-overflow", "invalid-cast", "many-throws", "lock-released-on-throw",
    };

    [Fact]
    public void KernelCodeCatchesWhatItThrows()
    {
        var boot = BootAssert.Boot("test=exceptions shutdown").Exited(QemuExit.Success);
        foreach (string s in Scenarios) boot.Contains($"eh {s}: ok");
        boot.DoesNotContain("FAILED").DoesNotContain("KERNEL PANIC")
            .Contains("eh: all scenarios passed").Contains("selftest exceptions: passed");
    }

    [Fact]
    public void SipCodeCatchesWhatItThrowsWhileABystanderCounts()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            Sips = new[] { "counter", "exceptions" },
            StopWhen = "sip exceptions#2 exited",
        }).Exited(QemuExit.StoppedByHarness);
        foreach (string s in Scenarios) boot.Contains($"exceptions#2: eh {s}: ok");
        boot.DoesNotContain("FAILED").DoesNotContain("KERNEL PANIC")
            .Contains("exceptions#2: eh: all scenarios passed")
            .Contains("sip exceptions#2 exited with code 0")
            .Contains("counter#1: 1");
    }

    [Fact]
    public void AnUnhandledExceptionKillsOnlyItsSipWithAStackTrace()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            Sips = new[] { "counter", "exceptions unhandled" },
            StopWhen = "counter#1: 10",
        }).Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        boot.Match(@"sip exceptions#2 failed: unhandled exception System\.InvalidOperationException: escaped from Level3 at Exceptions_Program__Level3\+0x[0-9a-f]+\r?\n" +
                   @"    at Exceptions_Program__Level3\+0x[0-9a-f]+\r?\n" +
                   @"(    at .*\r?\n)*" +
                   @"    at Exceptions_Program__Main\+0x[0-9a-f]+");
        int failed = boot.Serial.IndexOf("sip exceptions#2 failed", StringComparison.Ordinal);
        boot.Check(SipTests.CounterValues(boot.Serial[failed..], 1).Count >= 3, "the bystander stopped counting after the failure");
    }
}
