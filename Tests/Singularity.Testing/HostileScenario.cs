using System.Globalization;
using System.Text.RegularExpressions;

namespace Singularity.Testing;

/// <summary>
/// A hostile-SIP scenario: boot a bystander SIP with steady output, then start attacker SIPs one
/// after the other from the debug console (`start MODULE ARGS`), each after a `mem` baseline and
/// followed, once it has ended and the bystander has gone on, by another `mem`. The result
/// asserts that each attacker failed alone: it ended as expected, the bystander kept its output,
/// the kernel did not panic and its memory (kernel heap, physical pages, exchange heap) is back
/// at the baseline. Attacker images must be boot modules but are not started at boot
/// (`sips=` names only the bystander).
/// </summary>
/// <example>
/// HostileScenario.Named("forged handles")
///     .Attack("hostile handles", AttackOutcome.Exits(0, "0 unexpected"))
///     .Run()
///     .FailedAlone();
/// </example>
public sealed class HostileScenario
{
    /// <summary>The bystander's progress line; group 1 is its round number.</summary>
    public const string BystanderProgress = @"bystander#\d+: round (\d+) ok";

    private readonly string _name;
    private readonly List<(string Sip, AttackOutcome Expected)> _attacks = new();
    private readonly List<string> _extraModules = new();
    private string _bystander = "hostilebystander";
    private string _options = "";
    private int _memory = 256;
    private string? _machine;
    private string[] _devices = Array.Empty<string>();
    private TimeSpan _timeout = TimeSpan.FromSeconds(90);
    private int _roundsAfter = 3;
    private readonly List<string> _grants = new();
    private readonly List<string> _alsoAtBoot = new();
    private string _kernel = "";     // what precedes a debug-console command: Ctrl-] while the shell owns the input
    // Input typed after attack N (before the next baseline), and what the log must then show.
    private readonly List<(int AfterAttack, string Input, string WaitFor)> _interludes = new();

    private HostileScenario(string name) { _name = name; }

    /// <summary>Starts describing a scenario; the name labels its kept serial log.</summary>
    public static HostileScenario Named(string name) => new(name);


    /// <summary>
    /// An attacker to start (after the previous one ended), as "module [arguments]", and how it
    /// must end. Its module is added to the boot modules.
    /// </summary>
    public HostileScenario Attack(string sip, AttackOutcome expected)
    {
        if (sip.Contains('\n')) throw new ArgumentException("one line per attacker", nameof(sip));
        _attacks.Add((sip, expected));
        return this;
    }

    /// <summary>A grant line ("MODULE RIGHTS...") for the system manifest (BootOptions.Grants, docs/security.md).</summary>
    public HostileScenario Grant(string line) { _grants.Add(line); return this; }

    /// <summary>
    /// Boots the console service and the shell beside the bystander: the shell owns the serial
    /// input, so every debug-console command is typed after Ctrl-] (the kernel's escape key).
    /// </summary>
    public HostileScenario WithShell()
    {
        if (!_alsoAtBoot.Contains("console")) _alsoAtBoot.Add("console");
        if (!_alsoAtBoot.Contains("shell")) _alsoAtBoot.Add("shell");
        _kernel = "\u001d";
        return this;
    }

    /// <summary>Another module started at boot beside the bystander.</summary>
    public HostileScenario AlsoAtBoot(string module) { if (!_alsoAtBoot.Contains(module)) _alsoAtBoot.Add(module); return this; }

    /// <summary>
    /// After the last attack declared so far has ended (and before the next one's baseline), a
    /// debug-console command (after Ctrl-] when the shell runs); then waits for <paramref name="waitFor"/>
    /// (a regular expression, multiline).
    /// </summary>
    public HostileScenario ThenConsole(string command, string waitFor) => ThenType(_kernel + command + "\n", waitFor);

    /// <summary>Like ThenConsole, but types <paramref name="input"/> as it is (to whoever owns the serial input).</summary>
    public HostileScenario ThenType(string input, string waitFor)
    {
        _interludes.Add((_attacks.Count, input, waitFor));
        return this;
    }

    /// <summary>Another boot module (not started at boot) an attacker may start or name.</summary>
    public HostileScenario Module(string module) { _extraModules.Add(module); return this; }

    /// <summary>The bystander's module (default `hostilebystander`); it must print <see cref="BystanderProgress"/> lines.</summary>
    public HostileScenario Bystander(string module) { _bystander = module; return this; }

    /// <summary>Extra kernel options (after `sips=`).</summary>
    public HostileScenario KernelOptions(string options) { _options = options; return this; }

    public HostileScenario MemoryMiB(int mib) { _memory = mib; return this; }

    /// <summary>Boots QEMU's <paramref name="machine"/> with these extra devices (BootOptions.Machine, Devices).</summary>
    public HostileScenario OnMachine(string machine, params string[] devices) { _machine = machine; _devices = devices; return this; }

    public HostileScenario Timeout(TimeSpan timeout) { _timeout = timeout; return this; }

    /// <summary>Bystander rounds to wait for after each attacker ended, before measuring memory (default 3).</summary>
    public HostileScenario RoundsAfterEachAttack(int rounds) { _roundsAfter = rounds; return this; }

    /// <summary>
    /// How long an attacker may run, counted in bystander rounds (about 100 ms each; default 300):
    /// one still running then is killed from the console, and its attack counts as not contained.
    /// </summary>
    public HostileScenario AttackLimit(int rounds) { _attackLimitRounds = rounds; return this; }

    private int _attackLimitRounds = 300;

    /// <summary>Bystander rounds to wait for while an attacker holds, before measuring its charges (default 3).</summary>
    public HostileScenario RoundsWhileHolding(int rounds) { _roundsWhileHolding = rounds; return this; }

    private int _roundsWhileHolding = 3;

    /// <summary>Boots, plays every attack, and returns what was observed (the run must get through all steps).</summary>
    public HostileResult Run()
    {
        if (_attacks.Count == 0) throw new InvalidOperationException("a hostile scenario needs at least one attack");
        var steps = new List<ScriptStep>();
        // The first baseline once the bystander is under way.
        steps.Add(ScriptStep.Matching(BystanderProgress, ""));
        steps.Add(ScriptStep.Matching(BystanderProgress, _kernel + "mem\n"));
        for (int a = 0; a < _attacks.Count; a++)
        {
            var (sip, expected) = _attacks[a];
            string module = ModuleOf(sip);
            int limit = _attackLimitRounds;
            foreach (var (after, input, waitFor) in _interludes.Where(i => i.AfterAttack == a))
            {
                steps.Add(new ScriptStep(MemoryDetailEnd, input));
                steps.Add(ScriptStep.Matching(waitFor, ""));
                for (int i = 0; i < _roundsAfter; i++)
                    steps.Add(ScriptStep.Matching(BystanderProgress, i == _roundsAfter - 1 ? _kernel + "mem\n" : ""));
            }
            steps.Add(new ScriptStep(MemoryDetailEnd, _kernel + "start " + sip + "\n"));
            steps.Add(ScriptStep.Matching(StartedPattern(module), ""));
            if (expected.HoldPattern is string hold)
            {
                // A holding attacker: once it holds (or ended, or ran out of time), a few bystander
                // rounds, `mem` (what it is charged while it holds), then `kill` it.
                steps.Add(ScriptStep.Until($"`{sip}` holds, ends or runs {limit} bystander rounds", (log, from) =>
                {
                    string id = LastStartedId(log, module);
                    var held = new Regex($@"\bhostile#{id} [^\n]*{hold}").Match(log, from);
                    if (held.Success) return held.Index + held.Length;
                    var end = EndRegex(module, id).Match(log, from);
                    if (end.Success) return end.Index + end.Length;
                    var rounds = ProgressRegex.Matches(log, from);
                    return rounds.Count >= limit ? rounds[limit - 1].Index + rounds[limit - 1].Length : -1;
                }, _ => ""));
                for (int i = 0; i < _roundsWhileHolding; i++)
                    steps.Add(ScriptStep.Matching(BystanderProgress, i == _roundsWhileHolding - 1 ? _kernel + "mem\n" : ""));
                steps.Add(new ScriptStep(MemoryDetailEnd, log => _kernel + "kill " + LastStartedId(log, module) + "\n"));
            }
            // Its end, or the limit: then kill it (the next step sees it fail).
            steps.Add(ScriptStep.Until($"`{sip}` ends or runs {limit} bystander rounds", (log, from) =>
            {
                var end = EndRegex(module, LastStartedId(log, module)).Match(log, from);
                if (end.Success) return end.Index + end.Length;
                var rounds = ProgressRegex.Matches(log, from);
                return rounds.Count >= limit ? rounds[limit - 1].Index + rounds[limit - 1].Length : -1;
            }, log => EndRegex(module, LastStartedId(log, module)).IsMatch(log) ? "" : _kernel + "kill " + LastStartedId(log, module) + "\n"));
            steps.Add(ScriptStep.Until($"`{sip}` ended", (log, from) =>
            {
                var end = EndRegex(module, LastStartedId(log, module)).Match(log);
                return end.Success ? Math.Max(from, end.Index + end.Length) : -1;
            }, _ => ""));
            for (int i = 0; i < _roundsAfter; i++)
                steps.Add(ScriptStep.Matching(BystanderProgress, i == _roundsAfter - 1 ? _kernel + "mem\n" : ""));
        }
        foreach (var (_, input, waitFor) in _interludes.Where(i => i.AfterAttack == _attacks.Count))
        {
            steps.Add(new ScriptStep(MemoryDetailEnd, input));
            steps.Add(ScriptStep.Matching(waitFor, ""));
            for (int i = 0; i < _roundsAfter; i++)
                steps.Add(ScriptStep.Matching(BystanderProgress, i == _roundsAfter - 1 ? _kernel + "mem\n" : ""));
        }
        var modules = new List<string> { _bystander };
        foreach (string m in _alsoAtBoot) if (!modules.Contains(m)) modules.Add(m);
        foreach (var (sip, _) in _attacks) if (!modules.Contains(ModuleOf(sip))) modules.Add(ModuleOf(sip));
        foreach (string m in _extraModules) if (!modules.Contains(m)) modules.Add(m);
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = ("sips=" + string.Join(",", new[] { _bystander }.Concat(_alsoAtBoot)) + " " + _options).Trim(),
            Grants = _grants,
            Sips = modules,
            MemoryMiB = _memory,
            Machine = _machine,
            Devices = _devices,
            Timeout = _timeout,
            Script = steps,
            StopWhen = MemoryDetailEnd,
        }, name: "Hostile_" + Regex.Replace(_name, "[^A-Za-z0-9]+", "_"));
        var result = new HostileResult(boot, _attacks.Select(a => (a.Sip, a.Expected)).ToList());
        if (boot.Result.Exit != QemuExit.StoppedByHarness)
        {
            result.NoKernelPanic();
            boot.Fail($"the scenario did not get through its steps ({result.Progress}); the run ended with {boot.Result.Exit}");
        }
        return result;
    }

    internal const string MemoryDetailEnd = " free pages";

    internal static readonly Regex ProgressRegex = new(BystanderProgress);

    internal static string ModuleOf(string sip) => sip.Split(' ', 2)[0];

    internal static string StartedPattern(string module) => $@"\bsip {Regex.Escape(module)}#(\d+) started from the debug console";

    /// <summary>The id of the SIP of <paramref name="module"/> the console started last ("0" if none).</summary>
    internal static string LastStartedId(string log, string module)
    {
        var all = Regex.Matches(log, StartedPattern(module));
        return all.Count == 0 ? "0" : all[^1].Groups[1].Value;
    }

    /// <summary>The kernel's line for the end of SIP MODULE#ID: group 1 the exit code, group 2 the failure reason.</summary>
    internal static Regex EndRegex(string module, string id) =>
        new($@"\bsip {Regex.Escape(module)}#{id} (?:exited with code (-?\d+)|failed: ([^\n]*))");
}

/// <summary>How an attacker must end for its attack to count as contained.</summary>
public sealed class AttackOutcome
{
    private readonly int? _exitCode;
    private readonly string? _failure;
    private readonly string[] _printed;

    private AttackOutcome(int? exitCode, string? failure, string[] printed, string? hold = null)
    {
        _exitCode = exitCode; _failure = failure; _printed = printed; HoldPattern = hold;
    }

    /// <summary>For a holding attacker, what it prints once it holds what it took (a regular expression).</summary>
    public string? HoldPattern { get; }

    /// <summary>
    /// The attacker ends by itself with <paramref name="code"/> (every misuse was refused with an
    /// error it could catch) after printing each of <paramref name="printed"/> (regular expressions).
    /// </summary>
    public static AttackOutcome Exits(int code, params string[] printed) => new(code, null, printed);

    /// <summary>The kernel fails the attacker with a reason matching <paramref name="reason"/> (a regular expression).</summary>
    public static AttackOutcome Fails(string reason, params string[] printed) => new(null, reason, printed);

    /// <summary>
    /// The attacker takes what it can until the kernel refuses, prints a line matching
    /// <paramref name="hold"/> (after `hostile#ID ... `) and holds it; the scenario measures memory
    /// (<see cref="AttackRun.During"/>) and then kills it from the console, which is how it must end.
    /// </summary>
    public static AttackOutcome Holds(string hold, params string[] printed) => new(null, null, printed, hold);

    public override string ToString() =>
        HoldPattern != null ? $"holds (/{HoldPattern}/) until killed" + (_printed.Length > 0 ? ", printing " + string.Join(", ", _printed.Select(p => "/" + p + "/")) : "") :
        (_exitCode is int c ? $"exits with code {c}" : $"fails with /{_failure}/")
        + (_printed.Length > 0 ? ", printing " + string.Join(", ", _printed.Select(p => "/" + p + "/")) : "");

    /// <summary>Null when the attacker ended as described, else what differs.</summary>
    internal string? Mismatch(AttackRun run)
    {
        if (!run.Ended) return "it never ended";
        if (HoldPattern != null)
        {
            if (!Regex.IsMatch(run.Output, HoldPattern)) return run.FailureReason != null ? $"it never held; it failed: {run.FailureReason}" : $"it never held; it exited with code {run.ExitCode}";
            if (run.FailureReason != "killed from the debug console") return run.FailureReason != null ? $"it failed while holding: {run.FailureReason}" : $"it exited with code {run.ExitCode} while holding";
            if (run.During == null) return "no memory report while it held";
        }
        else if (run.FailureReason == "killed from the debug console") return "it did not end within its time limit and was killed";
        if (HoldPattern != null) { }
        else if (_exitCode is int code)
        {
            if (run.FailureReason != null) return $"it failed: {run.FailureReason}";
            if (run.ExitCode != code) return $"it exited with code {run.ExitCode}";
        }
        else
        {
            if (run.FailureReason == null) return $"it exited with code {run.ExitCode} instead of failing";
            if (!Regex.IsMatch(run.FailureReason, _failure!)) return $"it failed with \"{run.FailureReason}\"";
        }
        foreach (string p in _printed)
            if (!Regex.IsMatch(run.Output, p, RegexOptions.Multiline)) return $"it never printed /{p}/";
        return null;
    }
}

/// <summary>One `mem` report: the console's summary line and its detail line.</summary>
public sealed record MemorySnapshot(long FreeKiB, long KernelHeapKiB, long SipsKiB, int LiveSips,
                                    long ExchangeBytes, long ExchangeBlocks, long KernelHeapBytes,
                                    long KernelHeapAllocations, long SmallAllocationPages, long LargeAllocationPages, long FreePages)
{
    private static readonly Regex Summary = new(
        @"mem: usable \d+ KiB, free (\d+) KiB, kernel heap (\d+) KiB, SIPs (\d+) KiB in (\d+) live SIPs, exchange heap (\d+) bytes in (\d+) blocks");
    private static readonly Regex Detail = new(
        @"mem detail: kernel heap (\d+) bytes in (\d+) allocations, (\d+) small-allocation pages, (\d+) large-allocation pages; (\d+) free pages");

    /// <summary>The first `mem` report at or after <paramref name="from"/>, or null.</summary>
    public static MemorySnapshot? ParseAt(string log, int from, out int end)
    {
        end = -1;
        var s = Summary.Match(log, from);
        if (!s.Success) return null;
        var d = Detail.Match(log, s.Index);
        if (!d.Success) return null;
        end = d.Index + d.Length;
        long L(Match m, int g) => long.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        return new MemorySnapshot(L(s, 1), L(s, 2), L(s, 3), (int)L(s, 4), L(s, 5), L(s, 6),
                                  L(d, 1), L(d, 2), L(d, 3), L(d, 4), L(d, 5));
    }

    /// <summary>
    /// Pages that are neither free nor accounted for (by live SIPs, or by the kernel heap's
    /// frames): what a leak of stacks, images or SIP heap pages would grow. KiB.
    /// </summary>
    public long AccountedKiB => FreePages * 4 + SmallAllocationPages * 4 + LargeAllocationPages * 4 + SipsKiB;

    public override string ToString() =>
        $"kernel heap {KernelHeapBytes} bytes in {KernelHeapAllocations} allocations, {FreePages} free pages, " +
        $"{SmallAllocationPages}+{LargeAllocationPages} kernel-heap pages, SIPs {SipsKiB} KiB ({LiveSips} live), exchange heap {ExchangeBytes} bytes in {ExchangeBlocks} blocks";
}

/// <summary>What one attacker did: its end, its output, and memory around it.</summary>
public sealed record AttackRun(string Sip, AttackOutcome Expected, int Id, bool Ended, int ExitCode, string? FailureReason,
                               string Output, MemorySnapshot? Before, MemorySnapshot? After, int BystanderRoundsAfter)
{
    /// <summary>For a holding attacker, the memory report taken while it held (else null).</summary>
    public MemorySnapshot? During { get; init; }

    public override string ToString() =>
        $"`{Sip}`#{Id}: " + (!Ended ? "did not end" : FailureReason != null ? "failed: " + FailureReason : "exited with code " + ExitCode);
}

/// <summary>The outcome of a hostile scenario, with the assertions the suite makes.</summary>
public sealed class HostileResult
{
    private readonly BootAssert _boot;
    private readonly List<AttackRun> _runs = new();

    /// <summary>
    /// Kernel-heap bytes an attacker may leave behind: its SIP record (name, arguments, failure
    /// reason, the records of threads killed with it) stays for `ps` and SipWait. Everything
    /// else must come back. Each other SIP that ended while it ran (children it started) may
    /// leave a record too (<see cref="ChildRecordAllowance"/>).
    /// </summary>
    public long KernelHeapAllowance { get; set; } = 4096;

    /// <summary>Kernel-heap bytes the record of each SIP the attacker started may keep (see KernelHeapAllowance).</summary>
    public long ChildRecordAllowance { get; set; } = 2048;

    /// <summary>Pages that may stay with the kernel: page tables split for new stack guard pages.</summary>
    public long PageAllowanceKiB { get; set; } = 64;

    internal HostileResult(BootAssert boot, List<(string Sip, AttackOutcome Expected)> attacks)
    {
        _boot = boot;
        string log = boot.Serial;
        MemorySnapshot? before = MemorySnapshot.ParseAt(log, 0, out int at);
        foreach (var (sip, expected) in attacks)
        {
            if (before == null) break;
            string module = HostileScenario.ModuleOf(sip);
            var started = new Regex(HostileScenario.StartedPattern(module)).Match(log, at);
            // The baseline is the last `mem` before the attacker started (input typed between
            // attacks, such as killing the shell, is followed by a fresh one).
            while (started.Success)
            {
                var later = MemorySnapshot.ParseAt(log, at, out int laterEnd);
                if (later == null || laterEnd > started.Index) break;
                before = later;
                at = laterEnd;
            }
            var end = started.Success ? HostileScenario.EndRegex(module, started.Groups[1].Value).Match(log, started.Index) : Match.Empty;
            if (!end.Success)
            {
                _runs.Add(new AttackRun(sip, expected, 0, false, 0, null, log[at..], before, null, 0));
                break;
            }
            int id = int.Parse(started.Groups[1].Value, CultureInfo.InvariantCulture);
            string? reason = end.Groups[2].Success ? end.Groups[2].Value.TrimEnd('\r') : null;
            int code = end.Groups[1].Success ? int.Parse(end.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
            // The attacker's output: from the baseline to its end, including a failure's stack trace.
            int endOfEnd = end.Index + end.Length;
            while (true)
            {
                int nl = log.IndexOf('\n', endOfEnd);
                if (nl < 0 || !log.AsSpan(nl + 1).StartsWith("    at ")) break;
                int next2 = log.IndexOf('\n', nl + 1);
                endOfEnd = next2 < 0 ? log.Length : next2;
            }
            string output = log[at..Math.Min(log.Length, endOfEnd)];
            MemorySnapshot? after = MemorySnapshot.ParseAt(log, endOfEnd, out int next);
            string window = next < 0 ? log[endOfEnd..] : log[endOfEnd..next];
            int rounds = HostileScenario.ProgressRegex.Matches(window).Count;
            MemorySnapshot? during = null;
            if (expected.HoldPattern != null)
            {
                int from = started.Index;
                var held = new Regex($@"\bhostile#{id} [^\n]*{expected.HoldPattern}").Match(log, from);
                if (held.Success && held.Index < end.Index) during = MemorySnapshot.ParseAt(log, held.Index, out int duringEnd) is { } d && duringEnd <= end.Index ? d : null;
            }
            _runs.Add(new AttackRun(sip, expected, id, true, code, reason, output, before, after, rounds) { During = during });
            if (after == null) break;
            before = after;
            at = next;
        }
    }

    /// <summary>Assertions on the whole serial log.</summary>
    public BootAssert Log => _boot;

    /// <summary>Each attacker, in order.</summary>
    public IReadOnlyList<AttackRun> Attacks => _runs;

    internal string Progress =>
        _runs.Count == 0 ? "no attacker ended" : string.Join("; ", _runs.Select(r => r.ToString()));

    /// <summary>Everything the suite asks of a contained attack, for every attacker.</summary>
    public HostileResult FailedAlone() =>
        NoKernelPanic().EndedAsExpected().BystanderKeptProgressing().MemoryAtBaseline().ExchangeHeapAtBaseline();

    public HostileResult NoKernelPanic()
    {
        _boot.DoesNotContain("KERNEL PANIC");
        return this;
    }

    /// <summary>Every attacker ended as its <see cref="AttackOutcome"/> says.</summary>
    public HostileResult EndedAsExpected()
    {
        foreach (var r in _runs)
        {
            string? why = r.Expected.Mismatch(r);
            _boot.Check(why == null, $"attacker `{r.Sip}` was expected to end as: {r.Expected}; but {why}");
        }
        return this;
    }

    /// <summary>After each attacker ended, the bystander went on with its rounds (and never reported corruption).</summary>
    public HostileResult BystanderKeptProgressing(int atLeast = 3)
    {
        _boot.DoesNotContain("bystander: CORRUPT");
        _boot.DoesNotContain("bystander: REFUSED");
        foreach (var r in _runs)
            _boot.Check(r.BystanderRoundsAfter >= atLeast,
                        $"after attacker `{r.Sip}` the bystander completed {r.BystanderRoundsAfter} rounds (expected at least {atLeast})");
        var bystanderEnd = Regex.Match(_boot.Serial, @"\bsip hostilebystander#\d+ (exited|failed)[^\n]*");
        _boot.Check(!bystanderEnd.Success, $"the bystander ended: {bystanderEnd.Value}");
        return this;
    }

    /// <summary>
    /// After each attacker, the kernel's memory is back where it was before it started: no live
    /// SIP more, kernel-heap bytes within <see cref="KernelHeapAllowance"/> of the baseline, and
    /// every physical page free or accounted for as before (within <see cref="PageAllowanceKiB"/>).
    /// </summary>
    public HostileResult MemoryAtBaseline()
    {
        foreach (var r in _runs)
        {
            _boot.Check(r.Before != null && r.After != null, $"no memory report around attacker `{r.Sip}`");
            var b = r.Before!; var a = r.After!;
            _boot.Check(a.LiveSips == b.LiveSips, $"after attacker `{r.Sip}`: {a.LiveSips} live SIPs, {b.LiveSips} before it");
            long heap = a.KernelHeapBytes - b.KernelHeapBytes;
            int children = Regex.Matches(r.Output, @"\bsip \w+#\d+ (?:exited|failed)").Count - 1;
            long allowed = KernelHeapAllowance + Math.Max(0, children) * ChildRecordAllowance;
            _boot.Check(heap <= allowed,
                        $"after attacker `{r.Sip}` the kernel heap holds {heap} bytes more than before it (allowed {allowed}): before {b}; after {a}");
            long pages = b.AccountedKiB - a.AccountedKiB;
            _boot.Check(pages <= PageAllowanceKiB,
                        $"after attacker `{r.Sip}` {pages} KiB of physical memory are neither free nor accounted for (allowed {PageAllowanceKiB}): before {b}; after {a}");
        }
        return this;
    }

    /// <summary>After each attacker, the exchange heap holds exactly what it held before (the bystander's own block).</summary>
    public HostileResult ExchangeHeapAtBaseline()
    {
        foreach (var r in _runs)
        {
            var b = r.Before!; var a = r.After!;
            _boot.Check(a.ExchangeBytes == b.ExchangeBytes && a.ExchangeBlocks == b.ExchangeBlocks,
                        $"after attacker `{r.Sip}` the exchange heap holds {a.ExchangeBytes} bytes in {a.ExchangeBlocks} blocks; before it {b.ExchangeBytes} in {b.ExchangeBlocks}");
        }
        return this;
    }
}
