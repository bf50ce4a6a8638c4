namespace Singularity.Tests.Kernel;

/// <summary>Each kind of fault kills only the SIP that caused it; a bystander keeps counting.</summary>
public class FaultIsolationTests
{
    [Theory]
    [InlineData("nullderef", "null dereference (page fault at 0x0) at Faulter_Program__Main")]
    [InlineData("divzero", "#DE divide error at Faulter_Program__Main")]
    [InlineData("stackoverflow", "stack overflow at Faulter_Program__Recurse")]
    [InlineData("throw", "unhandled exception System.InvalidOperationException: injected by the faulter at Faulter_Program__Main")]
    [InlineData("gp", "#GP general protection fault at Faulter_Program__Main")]
    [InlineData("ud", "#UD invalid opcode at ")]
    [InlineData("int3", "#BP breakpoint at ")]
    public void FaultKillsOnlyTheFaultingSip(string kind, string expectedReason)
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            Sips = new[] { "counter", "faulter " + kind },
            StopWhen = "counter#1: 12",
        }, name: "Fault_" + kind);
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        boot.Contains("sip faulter#2 failed: " + expectedReason);
        int failed = boot.Serial.IndexOf("sip faulter#2 failed", StringComparison.Ordinal);
        var before = SipTests.CounterValues(boot.Serial[..failed], 1);
        var after = SipTests.CounterValues(boot.Serial[failed..], 1);
        boot.Check(before.Count > 0, "the bystander never counted before the fault");
        boot.Check(after.Count >= 3, "the bystander stopped counting after the fault");
        boot.Check(before[^1] + 1 == after[0], "a count was lost or repeated across the fault");
    }

    [Fact]
    public void KillingASipFromTheConsoleFreesItsMemory()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            Sips = new[] { "counter", "counter" },
            Script = new[]
            {
                new ScriptStep("counter#2: 3", "ps\n"),
                new ScriptStep("kdb> ", "kill 1\n"),
                new ScriptStep("kdb> ", "kill 2\n"),
                new ScriptStep("sip counter#2 failed", "mem\n"),
                new ScriptStep("mem: ", "ps\n"),
            },
            StopWhen = "kdb> ",
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        boot.Contains("sip counter#1 failed: killed from the debug console")
            .Contains("sip counter#2 failed: killed from the debug console");
        boot.Match(@"^\s+1\s+counter\s+running\s+1\s+\d+\s+\d+");
        long bootFree = long.Parse(boot.Match(@"boot complete in \d+ ms; \d+ KiB usable memory, (\d+) KiB free").Groups[1].Value);
        var mem = boot.Match(@"mem: usable \d+ KiB, free (\d+) KiB, kernel heap \d+ KiB, SIPs (\d+) KiB in (\d+) live SIPs");
        boot.Check(mem.Groups[2].Value == "0" && mem.Groups[3].Value == "0", "memory is still held by SIPs after killing them all");
        long free = long.Parse(mem.Groups[1].Value);
        // Everything the SIPs held is back; the kernel keeps only their small records.
        boot.Check(free >= bootFree - 64, $"free memory {free} KiB did not return to the boot baseline {bootFree} KiB");
    }
}
