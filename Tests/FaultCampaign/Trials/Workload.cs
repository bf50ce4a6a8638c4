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

    /// <summary>Whether a fault stays in every instance whatever --persistent says (nothing restarts the target without it).</summary>
    public virtual bool FaultsArePersistent => false;

    /// <summary>Rebinds the driver makes in a trial without any fault (the harness's own kills cause them): up to this many is no effect.</summary>
    public virtual int ExpectedRebinds => 0;

    /// <summary>The modules the harness kills at the end of each trial, in this order (a child before its supervisor's kill would be restarted).</summary>
    public virtual IReadOnlyList<string> Cleanup => new[] { "supervisor", Target, Driver };

    /// <summary>The driver's verdict line: groups rounds, ok, wrong, rebinds, gaveup.</summary>
    public static readonly Regex Verdict = new(@"workload: rounds=(\d+) ok=(\d+) wrong=(\d+) rebinds=(\d+) gaveup=(\d)");

    public static Workload Find(string name) => All.FirstOrDefault(w => w.Name == name);

    public static readonly IReadOnlyList<Workload> All = new Workload[] { new EchoWorkload(), new SupervisorWorkload() };
}

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
        $"start supervisor max=3 backoff=20{(persistent ? "" : " restart-args=-")} -- echoservice mutant={mutant}",
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
