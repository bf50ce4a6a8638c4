using System.Globalization;
using System.Text.RegularExpressions;
using Singularity.Testing;

namespace Singularity.FaultCampaign.Trials;

/// <summary>
/// Several trials in one boot, one after another, as the hostile-SIP suite plays its attackers: a
/// bystander (Tests/TestSips/HostileBystander) runs throughout; before each trial a `mem` baseline;
/// the trial's start commands (the mutated target under the supervisor, then the workload's
/// driver); once the driver's verdict is printed (or it runs out of time) the supervisor, the target
/// and the driver are killed, the bystander makes a few rounds, and `mem` again. Each trial is then
/// classified from its part of the serial log (<see cref="Classify"/>). A trial that does not get
/// through its steps ends the boot: it is an isolation failure (the system stopped answering), and
/// the trials after it are returned as not run, for another boot.
/// </summary>
public sealed class TrialBatch
{
    /// <summary>How long a trial may take, in bystander rounds (about 100 ms each), before it is killed.</summary>
    public const int TrialLimitRounds = 900;
    private const int RoundsAfter = 3;
    public const long KernelHeapAllowance = 4096;
    public const long RecordAllowance = 2048;
    /// <summary>
    /// Physical memory the page count may drift by across a trial: the bystander's heap grows and
    /// shrinks while `mem` counts (the hostile-SIP suite allows the same). The kernel heap and the
    /// exchange heap are compared exactly (less the records of the trial's SIPs).
    /// </summary>
    public const long PageAllowanceKiB = 64;

    private static readonly Regex Progress = new(HostileScenario.BystanderProgress);
    private static readonly Regex Started = new(@"\bsip (\w+)#(\d+) started");
    private static readonly Regex Failed = new(@"\bsip (\w+)#(\d+) failed: ([^\r\n]*)");
    private const string Killed = "killed from the debug console";
    private static readonly Regex ParentEnded = new(@"^its parent supervisor#\d+ ended");
    private const string KillAck = @"(?:\bsip {0}#\d+ failed: killed from the debug console|kill: no such running SIP)";

    private readonly Workload _workload;
    private readonly string _targetImage;

    private readonly bool _persistent;

    public TrialBatch(Workload workload, string targetImage, bool persistent = false)
    {
        _workload = workload;
        _targetImage = targetImage;
        _persistent = persistent;
    }

    public sealed record Result(IReadOnlyList<Trial> Done, IReadOnlyList<Trial> NotRun, string Serial, QemuExit Exit)
    {
        /// <summary>Why the warm-up trial (no mutant) failed, when it did: nothing of the boot counts then.</summary>
        public string WarmUpFailure { get; init; }
    }

    public Result Run(IReadOnlyList<Trial> trials, TimeSpan perTrial)
    {
        // A warm-up trial without a mutant first, unclassified: the first trial after boot makes the
        // kernel's one-time allocations (a page of some table), which would read as a leak.
        trials = trials.Prepend(WarmUp).ToList();
        var steps = new List<ScriptStep>
        {
            ScriptStep.Matching(HostileScenario.BystanderProgress, ""),
            ScriptStep.Matching(HostileScenario.BystanderProgress, "mem\n"),
        };
        foreach (var t in trials)
        {
            var start = _workload.StartCommands(t.Mutant, _persistent);
            var clock = new TrialClock();
            // The trial begins where its baseline `mem` ends: its time limit counts bystander rounds from there.
            steps.Add(new ScriptStep(" free pages", start[0] + "\n")
            {
                Finder = (log, from) =>
                {
                    int at = log.IndexOf(" free pages", from, StringComparison.Ordinal);
                    if (at < 0) return -1;
                    clock.Start = at;
                    return at + " free pages".Length;
                },
            });
            for (int k = 1; k < start.Count; k++)
            {
                string module = start[k - 1].Split(' ')[1];
                steps.Add(ScriptStep.Matching($@"\bsip {Regex.Escape(module)}#\d+ started from the debug console", start[k] + "\n"));
            }
            string driver = _workload.Driver;
            if (_workload.AfterDriverStarts.Count > 0)
                steps.Add(ScriptStep.Matching($@"\bsip {Regex.Escape(driver)}#\d+ started from the debug console", string.Concat(_workload.AfterDriverStarts.Select(c => c + "\n"))));
            if (_workload.Monitor != null) steps.AddRange(MonitorAnswers(_workload.Monitor, clock));
            steps.Add(ScriptStep.Until($"the {driver} verdict or {TrialLimitRounds} bystander rounds", (log, from) =>
            {
                var v = Workload.Verdict.Match(log, from);
                if (v.Success) return v.Index + v.Length;
                int limit = clock.LimitReached(log);
                return limit >= 0 ? Math.Max(limit, from) : -1;
            }, _ => $"kill {_workload.Cleanup[0]}\n"));
            for (int c = 0; c < _workload.Cleanup.Count; c++)
                steps.Add(ScriptStep.Matching(string.Format(KillAck, Regex.Escape(_workload.Cleanup[c])), c + 1 < _workload.Cleanup.Count ? $"kill {_workload.Cleanup[c + 1]}\n" : ""));
            for (int i = 0; i < RoundsAfter; i++)
                steps.Add(ScriptStep.Matching(HostileScenario.BystanderProgress, i == RoundsAfter - 1 ? "mem\n" : ""));
        }
        var modules = new List<string> { "hostilebystander" };
        modules.AddRange(_workload.Modules);
        var boot = QemuRunner.Boot(new BootOptions
        {
            CommandLine = "sips=hostilebystander",
            Grants = _workload.Grants,
            Sips = modules,
            Modules = new[] { _targetImage },
            MemoryMiB = 256,
            Timeout = TimeSpan.FromSeconds(60) + perTrial * trials.Count,
            Script = steps,
            StopWhen = " free pages",
        });
        var r = Classify(trials, boot.Serial, boot.Exit);
        var warm = r.Done.FirstOrDefault(t => ReferenceEquals(t, WarmUp) || t.Number == WarmUp.Number);
        if (warm != null && warm.Outcome != TrialOutcome.NoEffect)
        {
            // The system failed without any mutant: every trial of this boot is reported as not run, with the reason.
            return new Result(Array.Empty<Trial>(), r.Done.Where(t => t.Number != WarmUp.Number).Concat(r.NotRun.Where(t => t.Number != WarmUp.Number)).ToList(),
                              r.Serial, r.Exit) { WarmUpFailure = warm.Reason };
        }
        return r with { Done = r.Done.Where(t => t.Number != WarmUp.Number).ToList(), NotRun = r.NotRun.Where(t => t.Number != WarmUp.Number).ToList() };
    }

    // Where a trial began in the log (its time limit counts from there) and the request its next monitor answer serves.
    private sealed class TrialClock
    {
        public int Start = -1;
        public Match Request;

        /// <summary>Where the trial's limit of bystander rounds was reached, or -1.</summary>
        public int LimitReached(string log)
        {
            if (Start < 0) return -1;
            var rounds = Progress.Matches(log, Start);
            return rounds.Count >= TrialLimitRounds ? rounds[TrialLimitRounds - 1].Index + rounds[TrialLimitRounds - 1].Length : -1;
        }
    }

    /// <summary>
    /// One step per request the driver may make: each waits for the next request line and answers it
    /// on QEMU's monitor; once the driver's verdict is out (or the trial's time is up) the steps left
    /// pass at once without acting, so the trial goes on to its cleanup.
    /// </summary>
    private static IEnumerable<ScriptStep> MonitorAnswers(MonitorRequests requests, TrialClock clock)
    {
        for (int k = 0; k < requests.MaxRequests; k++)
            yield return new ScriptStep($"a request of the driver's ({requests.Request})", _ => "")
            {
                Finder = (log, from) =>
                {
                    var v = Workload.Verdict.Match(log, from);
                    int done = v.Success ? v.Index : clock.LimitReached(log);
                    var r = requests.Request.Match(log, from);
                    if (r.Success && (done < 0 || r.Index < done)) { clock.Request = r; return r.Index + r.Length; }
                    if (done >= 0) { clock.Request = null; return from; }
                    return -1;
                },
                MonitorAction = (monitor, _) =>
                {
                    if (clock.Request == null) return "";
                    var sent = new System.Text.StringBuilder();
                    foreach (string c in requests.Commands(clock.Request)) sent.Append("(qemu) ").Append(c).Append('\n').Append(monitor.Command(c));
                    return sent.ToString();
                },
            };
    }

    /// <summary>The unclassified first trial of every boot (no mutant).</summary>
    public static readonly Trial WarmUp = new(-1, 0);

    /// <summary>Splits the log at each trial's first start command and classifies every trial that began.</summary>
    public Result Classify(IReadOnlyList<Trial> trials, string serial, QemuExit exit)
    {
        var done = new List<Trial>();
        var notRun = new List<Trial>();
        string first = _workload.StartCommands(0, _persistent)[0].Split(' ')[1];
        var starts = Regex.Matches(serial, $@"\bsip {Regex.Escape(first)}#\d+ started from the debug console").Select(m => m.Index).ToList();
        for (int k = 0; k < trials.Count; k++)
        {
            if (k >= starts.Count) { notRun.Add(trials[k]); continue; }
            // The baseline is the last `mem` before the trial's start; its part of the log runs to the next trial's start.
            int begin = starts[k];
            int end = k + 1 < starts.Count ? starts[k + 1] : serial.Length;
            // The warm-up trial's memory is not compared: it is where the one-time allocations happen.
            done.Add(ClassifyOne(trials[k], serial, begin, end, trials[k].Number == WarmUp.Number ? null : LastIn(serial, 0, begin)));
        }
        return new Result(done, notRun, serial, exit);
    }

    private Trial ClassifyOne(Trial t, string log, int begin, int end, MemorySnapshot before)
    {
        string seg = log[begin..end];
        var verdict = Workload.Verdict.Match(seg);
        // Failures the harness caused (its kills, and a supervised SIP ending with its killed or
        // failed supervisor, as a child of the supervisor does) are not harm done by the fault.
        var failures = Failed.Matches(seg).Where(m => !m.Groups[3].Value.StartsWith(Killed, StringComparison.Ordinal)
            && !ParentEnded.IsMatch(m.Groups[3].Value)).ToList();
        int verdictAt = verdict.Success ? verdict.Index : seg.Length;
        int targetFailures = failures.Count(m => m.Groups[1].Value == _workload.Target && m.Index < verdictAt);
        var others = failures.Where(m => m.Groups[1].Value != _workload.Target).Select(m => m.Value.Trim()).ToList();
        var after = LastIn(log, begin, end);
        int ok = 0, wrong = 0, rebinds = 0, rounds = 0;
        bool gaveUp = false;
        if (verdict.Success)
        {
            int G(int g) => int.Parse(verdict.Groups[g].Value, CultureInfo.InvariantCulture);
            rounds = G(1); ok = G(2); wrong = G(3); rebinds = G(4); gaveUp = G(5) != 0;
        }
        var trial = t with { Ok = ok, Wrong = wrong, Rebinds = rebinds, GaveUp = gaveUp, TargetFailures = targetFailures };
        string problem = null;
        if (seg.Contains("KERNEL PANIC", StringComparison.Ordinal)) problem = "kernel panic";
        else if (others.Count > 0) problem = "another SIP failed: " + others[0];
        else if (seg.Contains("bystander: CORRUPT", StringComparison.Ordinal)) problem = "the bystander saw its memory or channel corrupted";
        else if (Regex.IsMatch(seg, @"\bsip hostilebystander#\d+ (exited|failed)")) problem = "the bystander ended";
        else if (after == null) problem = "the trial did not get through its steps (the system stopped answering the console or the bystander stopped)";
        else if (!verdict.Success) problem = $"the workload's driver printed no verdict";
        else if (before != null)
        {
            int started = Started.Matches(seg).Count;
            long heap = after.KernelHeapBytes - before.KernelHeapBytes;
            long allowed = KernelHeapAllowance + started * RecordAllowance;
            if (after.LiveSips != before.LiveSips) problem = $"{after.LiveSips} live SIPs after the trial, {before.LiveSips} before";
            else if (after.ExchangeBytes != before.ExchangeBytes || after.ExchangeBlocks != before.ExchangeBlocks)
                problem = $"exchange heap {after.ExchangeBytes} bytes in {after.ExchangeBlocks} blocks after the trial, {before.ExchangeBytes} in {before.ExchangeBlocks} before";
            else if (heap > allowed) problem = $"the kernel heap holds {heap} bytes more than before the trial (allowed {allowed})";
            else if (before.AccountedKiB - after.AccountedKiB > PageAllowanceKiB) problem = $"{before.AccountedKiB - after.AccountedKiB} KiB of physical memory neither free nor accounted for after the trial";
        }
        if (problem != null) return trial with { Outcome = TrialOutcome.IsolationFailure, Reason = problem };
        if (wrong > 0) return trial with { Outcome = TrialOutcome.DataLost, Reason = $"{wrong} of {rounds} round trips returned wrong data" };
        var (logWrong, why) = _workload.CheckLog(seg[..verdictAt], rounds, ok, rebinds);
        if (logWrong > 0) return trial with { Wrong = logWrong, Outcome = TrialOutcome.DataLost, Reason = $"{logWrong} of {rounds} rounds lost data: {why}" };
        if (gaveUp || ok < rounds) return trial with { Outcome = TrialOutcome.ContainedNotRecovered, Reason = $"the workload gave up after {ok} of {rounds} round trips ({targetFailures} failures of {_workload.Target})" };
        if (targetFailures == 0 && rebinds <= _workload.ExpectedRebinds) return trial with { Outcome = TrialOutcome.NoEffect, Reason = "" };
        return trial with { Outcome = TrialOutcome.Recovered, Reason = $"{targetFailures} failures of {_workload.Target}, {rebinds} rebinds" };
    }

    private static MemorySnapshot LastIn(string log, int begin, int end)
    {
        MemorySnapshot last = null;
        int from = begin;
        while (true)
        {
            var s = MemorySnapshot.ParseAt(log, from, out int e);
            if (s == null || e > end) return last;
            last = s;
            from = e;
        }
    }
}
