using System.Text.RegularExpressions;

namespace Singularity.FaultCampaign.Trials;

/// <summary>
/// What "the system still works" means for one target: which SIP is mutated (its module and the
/// project whose assembly is mutated), what else is booted, the console commands that start one
/// trial under the supervisor with the workload beside it, and the workload's verdict line.
/// </summary>
public abstract class Workload
{
    /// <summary>The name on the command line (--workload).</summary>
    public abstract string Name { get; }

    /// <summary>How the command line names this workload (for the report's replay commands).</summary>
    public virtual string CommandLine => "--workload " + Name;

    /// <summary>The module whose image is mutated (the image's file name without .elf).</summary>
    public abstract string Target { get; }

    /// <summary>The SIP project (relative to the repository) whose built assembly is mutated.</summary>
    public abstract string TargetProject { get; }

    /// <summary>The assembly file name of <see cref="TargetProject"/>.</summary>
    public abstract string TargetAssembly { get; }

    /// <summary>The built assembly that is mutated (its folder also holds the runtime, core library and SIP libraries it was built with).</summary>
    public virtual string TargetAssemblyPath(string repo) => Path.Combine(repo, TargetProject, "bin", "Release", "net10.0", TargetAssembly);

    /// <summary>Grant lines of the system manifest (docs/security.md).</summary>
    public abstract IReadOnlyList<string> Grants { get; }

    /// <summary>Boot modules besides the target (started from the console, not at boot): names from the system's sips/, or .elf paths.</summary>
    public abstract IReadOnlyList<string> Modules { get; }

    /// <summary>The module that runs the workload and prints the verdict.</summary>
    public abstract string Driver { get; }

    /// <summary>
    /// The console commands that start one trial with mutant <paramref name="mutant"/> (0: none):
    /// first the target under the supervisor, then the driver. A transient fault (the default) is
    /// in the first instance only: the supervisor restarts the target without it (restart-args),
    /// as a restart loads a fresh image; a persistent one is in every instance.
    /// </summary>
    public abstract IReadOnlyList<string> StartCommands(int mutant, bool persistent);

    /// <summary>Debug-console commands typed as soon as the driver has started (say, a kill that makes the supervisor restart a service).</summary>
    public virtual IReadOnlyList<string> AfterDriverStarts => Array.Empty<string>();

    /// <summary>
    /// What the harness answers through QEMU's monitor while the driver runs (null: nothing): each
    /// line of the driver's that matches <see cref="MonitorRequests.Request"/> gets the monitor
    /// commands <see cref="MonitorRequests.Commands"/> makes from the match (say, keys to type).
    /// </summary>
    public virtual MonitorRequests Monitor => null;

    /// <summary>
    /// What the harness checks in the serial log for a driver that cannot see the result of its
    /// work itself (the console's output): given the trial's log up to the verdict and the
    /// verdict's counts, the number of rounds that lost data and why (0 and null: none).
    /// </summary>
    public virtual (int Wrong, string Why) CheckLog(string log, int rounds, int ok, int rebinds) => (0, null);

    /// <summary>Whether a fault stays in every instance whatever --persistent says (nothing restarts the target without it).</summary>
    public virtual bool FaultsArePersistent => false;

    /// <summary>Rebinds the driver makes in a trial without any fault (the harness's own kills cause them): up to this many is no effect.</summary>
    public virtual int ExpectedRebinds => 0;

    /// <summary>The modules the harness kills at the end of each trial, in this order (a child before its supervisor's kill would be restarted).</summary>
    public virtual IReadOnlyList<string> Cleanup => new[] { "supervisor", Target, Driver };

    /// <summary>The driver's verdict line: groups rounds, ok, wrong, rebinds, gaveup.</summary>
    public static readonly Regex Verdict = new(@"workload: rounds=(\d+) ok=(\d+) wrong=(\d+) rebinds=(\d+) gaveup=(\d)");

    public static Workload Find(string name) => All.FirstOrDefault(w => w.Name == name);

    public static readonly IReadOnlyList<Workload> All = new Workload[] { new EchoWorkload(), new SupervisorWorkload(), new KeyboardWorkload(), new ConsoleWorkload() };
}

/// <summary>
/// Requests a workload's driver makes of the harness's monitor: a line pattern (multiline), the
/// monitor commands that answer one match, and how many requests a trial can make at most (the
/// driver gives up before that; the harness prepares one answer step per request).
/// </summary>
public sealed record MonitorRequests(Regex Request, Func<Match, IReadOnlyList<string>> Commands, int MaxRequests);

/// <summary>
/// The echo service (Tests/TestSips/EchoService) under the supervisor (up to 3 restarts), and
/// Tests/TestSips/EchoWorkload making 20 checked round trips over /service/echo-typed, rebinding
/// when the service dies.
/// </summary>
public sealed class EchoWorkload : Workload
{
    public override string Name => "echo";
    public override string Target => "echoservice";
    public override string TargetProject => "Tests/TestSips/EchoService";
    public override string TargetAssembly => "EchoService.dll";
    public override IReadOnlyList<string> Grants { get; } = new[] { "supervisor processes", "echoservice name=/service/echo-typed" };
    public override IReadOnlyList<string> Modules { get; } = new[] { "supervisor", "echoworkload" };
    public override string Driver => "echoworkload";
    public const int Rounds = 20;

    public override IReadOnlyList<string> StartCommands(int mutant, bool persistent) => new[]
    {
        $"start supervisor max=3 backoff=20 exits=restart{(persistent ? "" : " restart-args=-")} -- echoservice mutant={mutant}",
        $"start echoworkload rounds={Rounds}",
    };
}

/// <summary>
/// The supervisor itself (SIPs/Services/Supervisor) as the target: it runs the echo service (not
/// mutated) and, once the workload's driver has started, the harness kills the echo service, so
/// the supervisor's restart path runs in every trial; Tests/TestSips/EchoWorkload must still get
/// its 20 checked round trips through (it rebinds). Nothing supervises the supervisor, so its
/// faults are always persistent: a supervisor that fails leaves the echo service to end with it,
/// which is contained but not recovered.
/// </summary>
public sealed class SupervisorWorkload : Workload
{
    public override string Name => "supervisor";
    public override string Target => "supervisor";
    public override string TargetProject => "SIPs/Services/Supervisor";
    public override string TargetAssembly => "Supervisor.dll";
    public override IReadOnlyList<string> Grants { get; } = new[] { "supervisor processes", "echoservice name=/service/echo-typed" };
    public override IReadOnlyList<string> Modules { get; } = new[] { "echoservice", "echoworkload" };
    public override string Driver => "echoworkload";

    // The mutant token comes before "--": the supervisor's own arguments (its switch reads the first mutant= it finds).
    public override IReadOnlyList<string> StartCommands(int mutant, bool persistent) => new[]
    {
        $"start supervisor mutant={mutant} max=3 backoff=20 -- echoservice",
        $"start echoworkload rounds={EchoWorkload.Rounds}",
    };

    public override IReadOnlyList<string> AfterDriverStarts { get; } = new[] { "kill echoservice" };

    public override bool FaultsArePersistent => true;

    // The killed service's channel closes under the driver, which binds again.
    public override int ExpectedRebinds => 1;

    public override IReadOnlyList<string> Cleanup => new[] { "supervisor", "echoservice", Driver };
}

/// <summary>
/// The PS/2 keyboard driver (SIPs/Drivers/Keyboard) under the supervisor (up to 3 restarts), and
/// Tests/TestSips/KeyWorkload subscribed to /service/keyboard: for each attempt it prints
/// `keyworkload: type S` and the harness types <see cref="Line"/>(S) and Enter through QEMU's
/// monitor (`sendkey`), so a restarted driver must deliver again. The driver checks each line it
/// receives (docs/reliability.md, "The keyboard workload": keys lost while the driver is down are
/// retried; a wrong, missing, extra or reordered key while it serves is data lost).
/// </summary>
public sealed class KeyboardWorkload : Workload
{
    public override string Name => "keyboard";
    public override string Target => "keyboard";
    public override string TargetProject => "SIPs/Drivers/Keyboard";
    public override string TargetAssembly => "Keyboard.dll";
    public override IReadOnlyList<string> Grants { get; } = new[] { "supervisor processes", "keyboard name=/service/keyboard", "keyworkload bind=/service/keyboard" };
    public override IReadOnlyList<string> Modules { get; } = new[] { "supervisor", "keyworkload" };
    public override string Driver => "keyworkload";
    public const int Rounds = 5;
    /// <summary>Attempts the driver makes beyond one per round before it gives up (KeyWorkload's ExtraAttempts).</summary>
    public const int ExtraAttempts = 8;
    /// <summary>How long QEMU holds each key down, in ms (its default is 100: slower trials).</summary>
    public const int HoldMs = 20;

    public override IReadOnlyList<string> StartCommands(int mutant, bool persistent) => new[]
    {
        $"start supervisor max=3 backoff=20 exits=restart{(persistent ? "" : " restart-args=-")} -- keyboard mutant={mutant}",
        $"start keyworkload rounds={Rounds}",
    };

    public override MonitorRequests Monitor { get; } = new(new Regex(@"\bkeyworkload: type (\d+)\b"),
        m => Keys(Line(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))), Rounds + ExtraAttempts);

    /// <summary>The line attempt S asks for: S's digits, a space and six letters that depend on S (KeyWorkload's Line).</summary>
    public static string Line(int s)
    {
        var text = new System.Text.StringBuilder(s.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(' ');
        for (int i = 0; i < 6; i++) text.Append((char)('a' + (s * 7 + i * 5) % 26));
        return text.ToString();
    }

    /// <summary>The `sendkey` commands that type <paramref name="text"/> (digits, lower-case letters, spaces) and Enter.</summary>
    public static IReadOnlyList<string> Keys(string text) =>
        text.Select(c => c switch
        {
            ' ' => "spc",
            >= 'a' and <= 'z' or >= '0' and <= '9' => c.ToString(),
            _ => throw new ArgumentException($"no key for '{c}'"),
        }).Append("ret").Select(k => $"sendkey {k} {HoldMs}").ToList();
}

/// <summary>
/// The console service (SIPs/Services/Console) under the supervisor (up to 3 restarts), and
/// Tests/TestSips/ConsoleWorkload writing numbered lines through /service/console, each after the
/// Ack of the one before, writing a line again on a new binding when the service dies. The harness
/// checks the serial line (<see cref="CheckLog"/>): every acknowledged line is there whole, the
/// lines' first copies are in order, nothing carries a wrong text, and a line is there twice only
/// when the driver wrote it again after a rebind.
/// </summary>
public sealed class ConsoleWorkload : Workload
{
    public override string Name => "console";
    public override string Target => "console";
    public override string TargetProject => "SIPs/Services/Console";
    public override string TargetAssembly => "Console.dll";
    public override IReadOnlyList<string> Grants { get; } = new[] { "supervisor processes", "console name=/service/console name=/service/console-lines bind=/service/keyboard bind=/service/serial" };
    public override IReadOnlyList<string> Modules { get; } = new[] { "supervisor", "consoleworkload" };
    public override string Driver => "consoleworkload";
    public const int Rounds = 20;

    public override IReadOnlyList<string> StartCommands(int mutant, bool persistent) => new[]
    {
        $"start supervisor max=3 backoff=20 exits=restart{(persistent ? "" : " restart-args=-")} -- console mutant={mutant}",
        $"start consoleworkload rounds={Rounds}",
    };

    /// <summary>Line k as the driver writes it (without its newline): `cw K ` and 40 letters that depend on k (ConsoleWorkload's Line).</summary>
    public static string Line(int k)
    {
        var text = new System.Text.StringBuilder("cw ").Append(k.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(' ');
        for (int i = 0; i < 40; i++) text.Append((char)('a' + (k * 11 + i * 3) % 26));
        return text.ToString();
    }

    private static readonly Regex Written = new(@"cw (\d+) ([^\r\n]*)");

    public override (int Wrong, string Why) CheckLog(string log, int rounds, int ok, int rebinds)
    {
        var first = new Dictionary<int, int>();
        var copies = new Dictionary<int, int>();
        int wrong = 0;
        string why = null;
        foreach (Match m in Written.Matches(log))
        {
            if (!int.TryParse(m.Groups[1].Value, out int k) || k < 1 || k > rounds || m.Value != Line(k))
            {
                wrong++;
                why ??= $"a line on the serial line is not one the driver wrote: '{m.Value}'";
                continue;
            }
            first.TryAdd(k, m.Index);
            copies[k] = copies.GetValueOrDefault(k) + 1;
        }
        for (int k = 1; k <= ok; k++)
            if (!first.ContainsKey(k)) { wrong++; why ??= $"line {k} was acknowledged but is not on the serial line"; }
        for (int k = 2; k <= rounds; k++)
            if (first.TryGetValue(k, out int at) && first.TryGetValue(k - 1, out int before) && at < before)
            { wrong++; why ??= $"line {k} came out before line {k - 1}"; }
        // A line written again after a rebind may come out twice (the service printed it, then died before its Ack); never otherwise.
        int extra = copies.Values.Sum(c => c - 1);
        if (extra > rebinds) { wrong += extra - rebinds; why ??= $"{extra} lines came out twice with {rebinds} rebinds"; }
        return (wrong, why);
    }
}
