using System.Text;
using Singularity.FaultCampaign.Trials;
using Singularity.Testing;

namespace Singularity.Tests.FaultCampaign;

/// <summary>The trial classifier on serial logs shaped like a batch boot's (one line kind per kernel or SIP message it reads).</summary>
public class ClassifierTests
{
    private sealed class Log
    {
        private readonly StringBuilder _s = new();
        private int _round;
        private int _id = 10;

        public Log Rounds(int n) { for (int i = 0; i < n; i++) _s.Append($"bystander#1: round {++_round} ok\n"); return this; }

        public Log Mem(long heapBytes = 100000, int live = 1, long exBytes = 256, int exBlocks = 1, int freePages = 5000) =>
            Line($"mem: usable 250000 KiB, free {freePages * 4} KiB, kernel heap 400 KiB, SIPs 3000 KiB in {live} live SIPs, exchange heap {exBytes} bytes in {exBlocks} blocks")
            .Line($"mem detail: kernel heap {heapBytes} bytes in 900 allocations, 90 small-allocation pages, 10 large-allocation pages; {freePages} free pages");

        public Log Line(string s) { _s.Append(s).Append('\n'); return this; }

        public Log Start(string module, bool console = true) => Line($"sip {module}#{++_id} started" + (console ? " from the debug console" : " by supervisor#1"));

        public Log Kill(string module) => Line($"sip {module}#{_id} failed: killed from the debug console");

        /// <summary>A whole trial: start, what happens, verdict, kills, rounds, mem.</summary>
        public Log Trial(string verdict, Action<Log> during = null, Action<Log> memAfter = null)
        {
            Start("supervisor").Start("echoservice", console: false).Start("echoworkload");
            during?.Invoke(this);
            Line(verdict).Kill("supervisor").Kill("echoservice").Line("kill: no such running SIP").Rounds(3);
            if (memAfter != null) memAfter(this); else Mem();
            return this;
        }

        public override string ToString() => _s.ToString();
    }

    private const string AllOk = "workload: rounds=20 ok=20 wrong=0 rebinds=0 gaveup=0";

    private static Trial ClassifyOne(Log log)
    {
        var batch = new TrialBatch(new EchoWorkload(), "/unused.elf");
        var r = batch.Classify(new[] { new Trial(1, 5) }, log.ToString(), QemuExit.StoppedByHarness);
        Assert.Empty(r.NotRun);
        return Assert.Single(r.Done);
    }

    private static Log Begin() => new Log().Rounds(2).Mem();

    [Fact]
    public void NothingWrongIsNoEffect() =>
        Assert.Equal(TrialOutcome.NoEffect, ClassifyOne(Begin().Trial(AllOk)).Outcome);

    [Fact]
    public void FailuresTheHarnessCausesAtTheEndAreNotTheFaults()
    {
        // The supervisor is killed after the verdict, and the target ends with it.
        var t = ClassifyOne(Begin().Trial(AllOk, memAfter: l => l.Line("sip echoservice#11 failed: its parent supervisor#10 ended").Mem()));
        Assert.Equal(TrialOutcome.NoEffect, t.Outcome);
        Assert.Equal(0, t.TargetFailures);
    }

    [Fact]
    public void ARestartedTargetWithAllRoundsIsRecovered()
    {
        var t = ClassifyOne(Begin().Trial("workload: rounds=20 ok=20 wrong=0 rebinds=1 gaveup=0",
            l => l.Line("sip echoservice#11 failed: null dereference").Start("echoservice", console: false)));
        Assert.Equal(TrialOutcome.Recovered, t.Outcome);
        Assert.Equal(1, t.TargetFailures);
        Assert.Equal(1, t.Rebinds);
    }

    [Fact]
    public void AWorkloadThatGaveUpIsContainedNotRecovered() =>
        Assert.Equal(TrialOutcome.ContainedNotRecovered, ClassifyOne(Begin().Trial("workload: rounds=20 ok=4 wrong=0 rebinds=6 gaveup=1")).Outcome);

    [Fact]
    public void WrongDataIsDataLost() =>
        Assert.Equal(TrialOutcome.DataLost, ClassifyOne(Begin().Trial("workload: rounds=20 ok=19 wrong=1 rebinds=0 gaveup=0")).Outcome);

    [Fact]
    public void AKernelPanicIsAnIsolationFailure()
    {
        var t = ClassifyOne(Begin().Trial(AllOk, l => l.Line("KERNEL PANIC: page fault in the kernel")));
        Assert.Equal(TrialOutcome.IsolationFailure, t.Outcome);
        Assert.Contains("kernel panic", t.Reason);
    }

    [Fact]
    public void AnotherSipFailingIsAnIsolationFailure()
    {
        var t = ClassifyOne(Begin().Trial(AllOk, l => l.Line("sip echoworkload#12 failed: null dereference")));
        Assert.Equal(TrialOutcome.IsolationFailure, t.Outcome);
        Assert.Contains("echoworkload", t.Reason);
    }

    [Fact]
    public void ACorruptBystanderIsAnIsolationFailure() =>
        Assert.Equal(TrialOutcome.IsolationFailure, ClassifyOne(Begin().Trial(AllOk, l => l.Line("bystander: CORRUPT heap"))).Outcome);

    [Fact]
    public void ExchangeBlocksLeftAfterTheTrialAreAnIsolationFailure()
    {
        var t = ClassifyOne(Begin().Trial(AllOk, memAfter: l => l.Mem(exBytes: 320, exBlocks: 2)));
        Assert.Equal(TrialOutcome.IsolationFailure, t.Outcome);
        Assert.Contains("exchange heap", t.Reason);
    }

    [Fact]
    public void KernelHeapGrowthBeyondTheRecordsIsAnIsolationFailure()
    {
        // Three SIPs started: their records may keep 3 x 2048 bytes, plus 4096.
        Assert.Equal(TrialOutcome.NoEffect, ClassifyOne(Begin().Trial(AllOk, memAfter: l => l.Mem(heapBytes: 100000 + 4096 + 3 * 2048))).Outcome);
        var t = ClassifyOne(Begin().Trial(AllOk, memAfter: l => l.Mem(heapBytes: 100000 + 4096 + 3 * 2048 + 1)));
        Assert.Equal(TrialOutcome.IsolationFailure, t.Outcome);
        Assert.Contains("kernel heap", t.Reason);
    }

    [Fact]
    public void ALiveSipLeftBehindIsAnIsolationFailure() =>
        Assert.Equal(TrialOutcome.IsolationFailure, ClassifyOne(Begin().Trial(AllOk, memAfter: l => l.Mem(live: 2))).Outcome);

    [Fact]
    public void PagesNeitherFreeNorAccountedAreAnIsolationFailure()
    {
        // Within the allowance (the bystander's heap moves while `mem` counts), then beyond it.
        Assert.Equal(TrialOutcome.NoEffect, ClassifyOne(Begin().Trial(AllOk, memAfter: l => l.Mem(freePages: 5000 - (int)TrialBatch.PageAllowanceKiB / 4))).Outcome);
        var t = ClassifyOne(Begin().Trial(AllOk, memAfter: l => l.Mem(freePages: 5000 - (int)TrialBatch.PageAllowanceKiB / 4 - 1)));
        Assert.Equal(TrialOutcome.IsolationFailure, t.Outcome);
        Assert.Contains("physical memory", t.Reason);
    }

    [Fact]
    public void ABootThatEndsInsideATrialFailsItAndLeavesTheRestNotRun()
    {
        var log = Begin().Trial(AllOk).Start("supervisor").Start("echoworkload").Rounds(1);
        var batch = new TrialBatch(new EchoWorkload(), "/unused.elf");
        var r = batch.Classify(new[] { new Trial(1, 5), new Trial(2, 6), new Trial(3, 7) }, log.ToString(), QemuExit.Timeout);
        Assert.Equal(2, r.Done.Count);
        Assert.Equal(TrialOutcome.NoEffect, r.Done[0].Outcome);
        Assert.Equal(TrialOutcome.IsolationFailure, r.Done[1].Outcome);
        Assert.Contains("did not get through its steps", r.Done[1].Reason);
        Assert.Equal(7, Assert.Single(r.NotRun).Mutant);
    }

    [Fact]
    public void TrialsAreToldApartInOneBoot()
    {
        var log = Begin().Trial(AllOk)
            .Trial("workload: rounds=20 ok=20 wrong=0 rebinds=1 gaveup=0", l => l.Line("sip echoservice#14 failed: thrown exception"))
            .Trial("workload: rounds=20 ok=3 wrong=0 rebinds=6 gaveup=1");
        var batch = new TrialBatch(new EchoWorkload(), "/unused.elf");
        var r = batch.Classify(new[] { new Trial(1, 5), new Trial(2, 6), new Trial(3, 7) }, log.ToString(), QemuExit.StoppedByHarness);
        Assert.Equal(new[] { TrialOutcome.NoEffect, TrialOutcome.Recovered, TrialOutcome.ContainedNotRecovered }, r.Done.Select(t => t.Outcome));
    }

    private static Trial ClassifySupervisor(Log log)
    {
        var batch = new TrialBatch(new SupervisorWorkload(), "/unused.elf");
        var r = batch.Classify(new[] { new Trial(1, 5) }, log.ToString(), QemuExit.StoppedByHarness);
        Assert.Empty(r.NotRun);
        return Assert.Single(r.Done);
    }

    [Fact]
    public void AMutatedSupervisorThatRestartsTheKilledServiceIsNoEffect()
    {
        // The harness kills the echo service mid-trial; the supervisor restarts it and the workload rebinds.
        var t = ClassifySupervisor(Begin().Trial("workload: rounds=20 ok=20 wrong=0 rebinds=1 gaveup=0",
            l => l.Line("sip echoservice#11 failed: killed from the debug console").Start("echoservice", console: false)));
        Assert.Equal(TrialOutcome.NoEffect, t.Outcome);
        Assert.Equal(0, t.TargetFailures);
    }

    [Fact]
    public void AFailedSupervisorWhoseServiceEndsWithItIsContainedNotAnIsolationFailure()
    {
        // The supervisor's own fault ends it; its child ends with it (as children of a supervisor do): nothing else is harmed.
        var t = ClassifySupervisor(Begin().Trial("workload: rounds=20 ok=2 wrong=0 rebinds=6 gaveup=1",
            l => l.Line("sip supervisor#10 failed: null dereference").Line("sip echoservice#11 failed: its parent supervisor#10 ended")));
        Assert.Equal(TrialOutcome.ContainedNotRecovered, t.Outcome);
        Assert.Equal(1, t.TargetFailures);
    }

    [Fact]
    public void TheSupervisorWorkloadKillsTheServiceOnceTheDriverRunsAndCleansUpItsChild()
    {
        var w = new SupervisorWorkload();
        Assert.Equal(new[] { "kill echoservice" }, w.AfterDriverStarts);
        Assert.Equal(new[] { "supervisor", "echoservice", "echoworkload" }, w.Cleanup);
        // The mutant token is the supervisor's, before "--": the service's arguments do not carry it.
        string start = w.StartCommands(7, persistent: false)[0];
        Assert.Contains("mutant=7", start[..start.IndexOf("--", StringComparison.Ordinal)]);
        Assert.DoesNotContain("mutant=", start[start.IndexOf("--", StringComparison.Ordinal)..]);
    }

    private static Trial ClassifyWith(Workload w, Log log)
    {
        var batch = new TrialBatch(w, "/unused.elf");
        var r = batch.Classify(new[] { new Trial(1, 5) }, log.ToString(), QemuExit.StoppedByHarness);
        Assert.Empty(r.NotRun);
        return Assert.Single(r.Done);
    }

    // The console workload's lines as the service prints them (ConsoleWorkload.Line).
    private static Action<Log> Printed(params int[] lines) => l => { foreach (int k in lines) l.Line(ConsoleWorkload.Line(k)); };

    private static string ConsoleVerdict(int ok, int rebinds = 0) => $"workload: rounds=20 ok={ok} wrong=0 rebinds={rebinds} gaveup={(ok < 20 ? 1 : 0)}";

    [Fact]
    public void EveryAcknowledgedConsoleLineOnTheSerialLineIsNoEffect() =>
        Assert.Equal(TrialOutcome.NoEffect, ClassifyWith(new ConsoleWorkload(), Begin().Trial(ConsoleVerdict(20), Printed(Enumerable.Range(1, 20).ToArray()))).Outcome);

    [Fact]
    public void AnAcknowledgedConsoleLineMissingFromTheSerialLineIsDataLost()
    {
        var t = ClassifyWith(new ConsoleWorkload(), Begin().Trial(ConsoleVerdict(20), Printed(Enumerable.Range(1, 20).Where(k => k != 7).ToArray())));
        Assert.Equal(TrialOutcome.DataLost, t.Outcome);
        Assert.Contains("line 7 was acknowledged", t.Reason);
    }

    [Fact]
    public void ACorruptedOrReorderedConsoleLineIsDataLost()
    {
        var corrupt = ClassifyWith(new ConsoleWorkload(), Begin().Trial(ConsoleVerdict(20),
            l => { Printed(Enumerable.Range(1, 20).ToArray())(l); l.Line(ConsoleWorkload.Line(3)[..^1] + "?"); }));
        Assert.Equal(TrialOutcome.DataLost, corrupt.Outcome);
        var swapped = ClassifyWith(new ConsoleWorkload(), Begin().Trial(ConsoleVerdict(20), Printed(new[] { 2, 1 }.Concat(Enumerable.Range(3, 18)).ToArray())));
        Assert.Equal(TrialOutcome.DataLost, swapped.Outcome);
        Assert.Contains("line 2 came out before line 1", swapped.Reason);
    }

    [Fact]
    public void AConsoleLineTwiceIsAllowedOnlyAfterARebind()
    {
        var lines = Enumerable.Range(1, 20).Append(20).ToArray();
        var rebound = ClassifyWith(new ConsoleWorkload(), Begin().Trial(ConsoleVerdict(20, rebinds: 1),
            l => { l.Line("sip console#11 failed: null dereference").Start("console", console: false); Printed(lines)(l); }));
        Assert.Equal(TrialOutcome.Recovered, rebound.Outcome);
        Assert.Equal(TrialOutcome.DataLost, ClassifyWith(new ConsoleWorkload(), Begin().Trial(ConsoleVerdict(20), Printed(lines))).Outcome);
    }

    [Fact]
    public void AConsoleThatStoppedAcknowledgingIsContainedNotRecovered() =>
        Assert.Equal(TrialOutcome.ContainedNotRecovered, ClassifyWith(new ConsoleWorkload(), Begin().Trial(ConsoleVerdict(4, rebinds: 6), Printed(1, 2, 3, 4, 5))).Outcome);

    [Fact]
    public void TheKeyboardWorkloadTypesEachRequestedLineAndEnter()
    {
        var w = new KeyboardWorkload();
        Assert.Equal("12 glqvaf", KeyboardWorkload.Line(12));
        var m = w.Monitor.Request.Match("hostilebystander#3: round 4 ok\nkdb> keyworkload: type 12\n");
        Assert.True(m.Success);
        var keys = w.Monitor.Commands(m);
        Assert.Equal(KeyboardWorkload.Line(12).Length + 1, keys.Count);
        Assert.Equal($"sendkey 1 {KeyboardWorkload.HoldMs}", keys[0]);
        Assert.Equal($"sendkey spc {KeyboardWorkload.HoldMs}", keys[2]);
        Assert.Equal($"sendkey ret {KeyboardWorkload.HoldMs}", keys[^1]);
        // The driver may ask once per round and a bounded number of times more; the harness answers that many.
        Assert.Equal(KeyboardWorkload.Rounds + KeyboardWorkload.ExtraAttempts, w.Monitor.MaxRequests);
        Assert.Contains("restart-args=-", w.StartCommands(3, persistent: false)[0]);
        Assert.Equal(typeof(KeyboardWorkload), Workload.All.Single(x => x.Target == "keyboard").GetType());
    }

    [Fact]
    public void AKeyboardDriverThatDeliveredAWrongKeyIsDataLost() =>
        Assert.Equal(TrialOutcome.DataLost, ClassifyWith(new KeyboardWorkload(), Begin().Trial("workload: rounds=5 ok=4 wrong=1 rebinds=0 gaveup=0 retries=0")).Outcome);
}
