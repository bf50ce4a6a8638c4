using System.Text.RegularExpressions;

namespace Singularity.Tests.Kernel;

/// <summary>
/// Attacks on the trusted code every SIP runs (the core library and the SIP runtime), each from a
/// SIP beside a bystander: sizes that overflow, out-of-range struct fields, threads racing on
/// runtime objects. Each must end in a managed exception for the attacker (or the attacker's own
/// failure), with no kernel panic, the bystander counting on without a gap, and the exchange heap
/// empty at the end. The SIPs are Tests/TestSips/SizeAttacks, RaceAttacks and FrameForger.
/// </summary>
public class RuntimeHardeningTests
{
    private const string Bystander = "counter";

    /// <summary>
    /// Boots the bystander and the attacker, waits for the attacker to end (exit or failure) and
    /// for three more counts, then `mem`. Checks the attacker ended as expected, and the bystander.
    /// </summary>
    private static BootAssert Attack(string module, string arguments, bool attackerFails = false, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        string ended = $"sip {module}#2 ";
        var log = FaultScenario.Named("RuntimeHardening " + name)
            .Sips(Bystander, module + " " + arguments)
            .Timeout(TimeSpan.FromSeconds(180))
            .WaitFor($"sip {module}#2 started")
            .ThenWaitFor(ended)
            .ThenWaitFor("counter#1: ").ThenWaitFor("counter#1: ").ThenWaitFor("counter#1: ")
            .Run()
            .NoKernelPanic()
            .ExchangeHeapEmpty()
            .Log;
        string end = attackerFails ? $"sip {module}#2 failed" : $"sip {module}#2 exited with code 0";
        log.Contains(end);
        int at = log.Serial.IndexOf(end, StringComparison.Ordinal);
        var before = SipTests.CounterValues(log.Serial[..at], 1);
        var after = SipTests.CounterValues(log.Serial[at..], 1);
        log.Check(before.Count > 0, "the bystander never counted before the attack ended");
        log.Check(after.Count >= 3, "the bystander stopped counting after the attack");
        log.Check(before.Count > 0 && after.Count > 0 && before[^1] + 1 == after[0], "a count of the bystander was lost or repeated across the attack");
        return log;
    }

    /// <summary>The attacker's lines, with any bystander line that was written into the middle of one taken out.</summary>
    private static string AttackerLines(BootAssert log) => Regex.Replace(log.Serial, @"counter#1: \d+\r?\n", "");

    private static void Reported(BootAssert log, params string[] lines)
    {
        string text = AttackerLines(log);
        foreach (string line in lines)
            log.Check(text.Contains(line + "\n") || text.Contains(line + "\r\n"), $"the attacker did not report \"{line}\"");
    }

    [Fact]
    public void ConcatOfLengthsThatOverflowThrowsOutOfMemoryInTheAttackerOnly()
    {
        // 65,537 references to one 65,536-character string: 2^32 + 2^16 characters, which wrapped
        // to 2^16 in 32 bits, so the old code allocated 128 KiB and copied 8 GiB over the heap.
        var log = Attack("sizeattacks", "concat");
        Reported(log,
            "sizeattacks: concat 65537 x 65536 chars: System.OutOfMemoryException",
            "sizeattacks: concat 20 x 65536 chars: length 1310720",
            "sizeattacks: concat done");
    }

    [Fact]
    public void HugeAndNegativeSizesAndIndicesAreManagedExceptions()
    {
        var log = Attack("sizeattacks", "arrays exchange arithmetic");
        Reported(log,
            "sizeattacks: new byte[int.MaxValue]: System.OutOfMemoryException",
            "sizeattacks: new long[0x20000001]: System.OutOfMemoryException",
            "sizeattacks: new byte[quota + 1]: System.OutOfMemoryException",
            "sizeattacks: new int[-1]: System.OverflowException",
            "sizeattacks: heap after: 4095",
            "sizeattacks: arrays done",
            "sizeattacks: ExArray<long>.Allocate(0x20000001): System.OverflowException",
            "sizeattacks: ExArray<long>.Allocate(int.MaxValue): System.OverflowException",
            "sizeattacks: ExBuffer.Allocate(-1): System.ArgumentOutOfRangeException",
            "sizeattacks: ExBuffer.Allocate(int.MaxValue): System.OutOfMemoryException",
            "sizeattacks: buffer[int.MinValue]: System.IndexOutOfRangeException",
            "sizeattacks: buffer.ReadInt64(int.MaxValue): System.IndexOutOfRangeException",
            "sizeattacks: buffer.CopyFrom(8 bytes, int.MaxValue - 4): System.IndexOutOfRangeException",
            "sizeattacks: buffer.CopyTo(8 bytes, -8): System.IndexOutOfRangeException",
            "sizeattacks: array[int.MinValue]: System.IndexOutOfRangeException",
            "sizeattacks: exchange heap owned after: 0",
            "sizeattacks: exchange done",
            "sizeattacks: Math.Abs(int.MinValue): System.OverflowException",
            "sizeattacks: \"abc\".Substring(2, int.MaxValue): System.ArgumentOutOfRangeException",
            "sizeattacks: Concat(null array): System.ArgumentNullException",
            "sizeattacks: lock on a literal: held and released",
            "sizeattacks: Monitor.Exit without Enter: System.Threading.SynchronizationLockException",
            "sizeattacks: arithmetic done");
        log.DoesNotContain("FAILED");
    }

    [Fact]
    public void AnUnhandledExceptionWhoseMessageThrowsStillFailsOnlyTheAttacker()
    {
        var log = Attack("sizeattacks", "unhandled-message", attackerFails: true);
        log.Match(@"sip sizeattacks#2 failed: unhandled exception \(its TypeName or Message threw\)");
    }

    [Theory]
    [InlineData("sent")]
    [InlineData("freed")]
    public void ABufferTouchedAfterItWasGivenAwayFailsOnlyTheAttacker(string how)
    {
        // Tests/TestSips/StaleBlock is built with both ownership checkers off, so nothing but the
        // runtime's check of the block header (no kernel call) stands between it and the block.
        var log = Attack("staleblock", how, attackerFails: true, name: "StaleBlock " + how);
        Reported(log, $"staleblock: gave the buffer away ({how}); touching it");
        log.Match(@"sip staleblock#2 failed: unhandled exception System\.InvalidOperationException: this SIP does not own the exchange block");
        log.Check(!log.Serial.Contains("staleblock: FAILED"), "the write into a block given away went through");
    }

    [Fact]
    public void OutOfRangeFrameAndMessageFieldsAreRefused()
    {
        // The fixture writes the private offsets through pointers (it is not verified), standing
        // for any way a SIP could get them out of range; every read must be refused.
        var log = Attack("frameforger", "");
        var lines = new List<string>();
        foreach (int offset in new[] { int.MinValue, -8, -4096, 60, 65, int.MaxValue - 3 })
            lines.Add($"frameforger: Put<long> at offset {offset}: System.InvalidOperationException");
        foreach (int offset in new[] { -16, int.MinValue + 4, 64 })
            lines.Add($"frameforger: Take<long> at offset {offset}: System.InvalidOperationException");
        lines.Add("frameforger: TakeBuffer at handle index -1: System.IndexOutOfRangeException");
        lines.Add($"frameforger: TakeBuffer at handle index {int.MaxValue}: System.IndexOutOfRangeException");
        lines.Add("frameforger: TakeBuffer(5) with handle count 1000: System.IndexOutOfRangeException");
        lines.Add("frameforger: TakeBuffer(5) with handle count -1: System.IndexOutOfRangeException");
        lines.Add("frameforger: send with handle count 5: Singularity.Channels.ProtocolViolationException");
        lines.Add("frameforger: done");
        Reported(log, lines.ToArray());
        log.DoesNotContain("MEMORY AROUND THE FRAME CHANGED");
    }

    [Fact]
    public void ThreadsRacingOnRuntimeObjectsNeverReachOutsideThem()
    {
        var log = Attack("raceattacks", "concat frame exchange message collect");
        string text = AttackerLines(log);
        foreach (string pattern in new[]
        {
            @"raceattacks: concat: [1-9]\d* rounds, 0 inconsistent\r?$",
            @"raceattacks: frame: [1-9]\d* full frames, canaries intact\r?$",
            @"raceattacks: exchange: [1-9]\d* frees, \d+ copies refused, 0 new blocks written by a stale copy, exchange bytes owned 0\r?$",
            @"raceattacks: message: [1-9]\d* sent, \d+ refused, \d+ timed out, 0 other, \d+ received\r?$",
            @"raceattacks: collect: [1-9]\d* objects checked during [1-9]\d* collections, 0 changed\r?$",
        })
            log.Check(Regex.IsMatch(text, pattern, RegexOptions.Multiline), $"the attacker reported nothing matching /{pattern}/");
        Reported(log, "raceattacks: concat done", "raceattacks: frame done", "raceattacks: exchange done", "raceattacks: message done", "raceattacks: collect done");
        log.DoesNotContain("FAILED");
    }
}
