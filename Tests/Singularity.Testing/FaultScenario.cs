using System.Text.RegularExpressions;

namespace Singularity.Testing;

/// <summary>The faults the kernel's test hook can inject into a SIP.</summary>
public enum FaultKind { NullDereference, Throw, ProtocolViolation, Hang }

/// <summary>
/// A fault-isolation scenario: boot a set of SIPs, wait until their workload is under way,
/// inject a fault into one SIP (the kernel makes it fail at its next scheduling point), keep
/// running until what should happen next has happened, and assert on the result. Built on the
/// kernel debug console's `inject` and `mem` commands, so it works for any SIP.
/// </summary>
/// <example>
/// FaultScenario.Named("echo survives a server crash")
///     .Sips("supervisor max=3 backoff=50 -- channels server", "channels client 500 pace=1")
///     .WaitFor("echo client: 100 round trips")
///     .Inject(FaultScenario.LastStarted("channels"), FaultKind.NullDereference)
///     .ThenWaitFor("echo client: 500 round trips ok")
///     .Run()
///     .NoKernelPanic()
///     .Restarted("channels")
///     .ExchangeHeapEmpty();
/// </example>
public sealed class FaultScenario
{
    private readonly string _name;
    private readonly List<string> _sips = new();
    private readonly List<ScriptStep> _steps = new();
    private string _options = "";
    private int _memory = 256;
    private TimeSpan _timeout = TimeSpan.FromSeconds(120);
    private string _lastWait = "singularity: idle";
    private FaultKind? _injected;

    private FaultScenario(string name) { _name = name; }

    /// <summary>Starts describing a scenario; the name labels its kept serial log.</summary>
    public static FaultScenario Named(string name) => new(name);

    /// <summary>The SIPs to boot, as "module [arguments]" (images from artifacts/sips/).</summary>
    public FaultScenario Sips(params string[] sips) { _sips.AddRange(sips); return this; }

    public FaultScenario KernelOptions(string options) { _options = options; return this; }

    /// <summary>A grant line ("MODULE RIGHTS...") for the system manifest (BootOptions.Grants, docs/security.md).</summary>
    public FaultScenario Grant(string line) { _grants.Add(line); return this; }

    private readonly List<string> _grants = new();
    private string? _systemManifest;

    /// <summary>
    /// Boots a system manifest (`service` and `grant` lines, BootOptions.SystemManifest): its
    /// services start under the supervisor; the SIPs given to <see cref="Sips"/> start directly.
    /// </summary>
    public FaultScenario SystemManifest(string text) { _systemManifest = text; return this; }

    public FaultScenario MemoryMiB(int mib) { _memory = mib; return this; }

    public FaultScenario Timeout(TimeSpan timeout) { _timeout = timeout; return this; }

    /// <summary>Waits until the serial log shows <paramref name="text"/> (after the previous step).</summary>
    public FaultScenario WaitFor(string text)
    {
        _steps.Add(new ScriptStep(text, ""));
        _lastWait = text;
        return this;
    }

    /// <summary>Injects a fault into the SIP named by <paramref name="sip"/> (an id, NAME or NAME#ID).</summary>
    public FaultScenario Inject(string sip, FaultKind kind) => Inject(_ => sip, kind);

    /// <summary>Injects a fault into the SIP chosen from the log so far (see <see cref="LastStarted"/>).</summary>
    public FaultScenario Inject(Func<string, string> chooseSip, FaultKind kind)
    {
        string verb = kind switch
        {
            FaultKind.NullDereference => "nullderef",
            FaultKind.Throw => "throw",
            FaultKind.ProtocolViolation => "protocol",
            _ => "hang",
        };
        // Typed once the previous wait is satisfied and the SIP can be chosen from the log (its
        // "started" line may come after output of its own: the kernel logs a start when the
        // starting call returns); the kernel confirms with "inject: ...".
        _steps.Add(ScriptStep.Until("the SIP to inject into in the log", (log, from) => Chooses(chooseSip, log) ? from : -1,
                                    log => "inject " + chooseSip(log) + " " + verb + "\n"));
        _steps.Add(new ScriptStep("inject: ", ""));
        _injected = kind;
        _lastWait = "inject: ";
        return this;
    }

    /// <summary>Types a debug-console command once the previous step is done.</summary>
    public FaultScenario Console(string command)
    {
        _steps.Add(new ScriptStep("", command + "\n"));
        return this;
    }

    /// <summary>Waits, after the fault, until the serial log shows <paramref name="text"/>.</summary>
    public FaultScenario ThenWaitFor(string text) => WaitFor(text);

    private static bool Chooses(Func<string, string> chooseSip, string log)
    {
        try { chooseSip(log); return true; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Chooses the most recently started SIP of a module ("sip NAME#ID started ...").</summary>
    public static Func<string, string> LastStarted(string module) => log =>
    {
        var matches = Regex.Matches(log, $@"\bsip {Regex.Escape(module)}#(\d+) started");
        if (matches.Count == 0) throw new InvalidOperationException($"no SIP of module '{module}' has started");
        return matches[^1].Groups[1].Value;
    };

    /// <summary>Chooses the SIP captured by group 1 of the last match of <paramref name="pattern"/> in the log so far.</summary>
    public static Func<string, string> FromLog(string pattern) => log =>
    {
        var matches = Regex.Matches(log, pattern, RegexOptions.Multiline);
        if (matches.Count == 0) throw new InvalidOperationException($"the log has no match for /{pattern}/");
        return matches[^1].Groups[1].Value;
    };

    /// <summary>Boots, runs the script, ends with `mem` so memory can be checked, and returns the outcome.</summary>
    public FaultResult Run()
    {
        var steps = new List<ScriptStep>(_steps) { new("", "mem\n") };
        var boot = BootAssert.Boot(new BootOptions
        {
            Grants = _grants,
            SystemManifest = _systemManifest,
            CommandLine = _options,
            Sips = _sips,
            MemoryMiB = _memory,
            Timeout = _timeout,
            Script = steps,
            StopWhen = " blocks",
        }, name: "Fault_" + Regex.Replace(_name, "[^A-Za-z0-9]+", "_"));
        if (boot.Result.Exit != QemuExit.StoppedByHarness)
            boot.Fail($"the scenario did not get through its steps (last wait: \"{_lastWait}\"); the run ended with {boot.Result.Exit}");
        return new FaultResult(boot, _injected);
    }
}

/// <summary>What a fault scenario observed, with the assertions fault-isolation suites need.</summary>
public sealed class FaultResult
{
    private readonly BootAssert _boot;
    private readonly int _faultAt;

    internal FaultResult(BootAssert boot, FaultKind? injected)
    {
        _boot = boot;
        int at = boot.Serial.IndexOf("inject: ", StringComparison.Ordinal);
        _faultAt = at < 0 ? 0 : at;
    }

    /// <summary>Assertions on the whole serial log.</summary>
    public BootAssert Log => _boot;

    /// <summary>The serial log after the injection.</summary>
    public string AfterFault => _boot.Serial[_faultAt..];

    public FaultResult NoKernelPanic()
    {
        _boot.DoesNotContain("KERNEL PANIC");
        return this;
    }

    /// <summary>The named SIP failed after the injection, with a reason containing <paramref name="reason"/>.</summary>
    public FaultResult SipFailed(string module, string reason)
    {
        // Kernel event lines may follow the debug console's prompt on the same line.
        var m = Regex.Match(AfterFault, $@"\bsip {Regex.Escape(module)}#\d+ failed: ([^\r\n]*)");
        _boot.Check(m.Success && m.Groups[1].Value.Contains(reason), $"no '{module}' SIP failed with \"{reason}\" after the injection");
        return this;
    }

    /// <summary>A new instance of <paramref name="module"/> started after the injection (a supervisor restarted it).</summary>
    public FaultResult Restarted(string module)
    {
        _boot.Check(Regex.IsMatch(AfterFault, $@"\bsip {Regex.Escape(module)}#\d+ started"),
                    $"no new '{module}' SIP started after the injection");
        return this;
    }

    /// <summary>Lines matching <paramref name="pattern"/> kept appearing after the injection (a bystander kept working).</summary>
    public FaultResult KeptProgressing(string pattern, int atLeast = 3)
    {
        int n = Regex.Matches(AfterFault, pattern, RegexOptions.Multiline).Count;
        _boot.Check(n >= atLeast, $"only {n} lines matching /{pattern}/ after the injection (expected at least {atLeast})");
        return this;
    }

    /// <summary>At the end (the final `mem`), no exchange-heap block is left: nothing leaked.</summary>
    public FaultResult ExchangeHeapEmpty()
    {
        _boot.Check(Regex.IsMatch(_boot.Serial, @"mem: .* exchange heap 0 bytes in 0 blocks"), "exchange-heap blocks are still allocated at the end");
        return this;
    }
}
