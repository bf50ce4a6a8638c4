namespace Singularity.Tests.Kernel;

/// <summary>
/// Authority attacks (issue 13, docs/security.md), each by the verified SIP
/// Tests/TestSips/HostileAuthority holding no grant (or only the one named): each is refused or
/// contained, with the kernel, the console service, the shell and a bystander unaffected and
/// kernel memory back at its baseline (HostileScenario). The shell owns the serial input, so the
/// harness reaches the kernel debug console through Ctrl-] throughout.
/// </summary>
public class HostileAuthorityTests
{
    private static readonly AttackOutcome AllRefused = AttackOutcome.Exits(0, @" 0 unexpected$");

    /// <summary>The shell answers a line typed to it (it kept the serial input and the console kept serving).</summary>
    private static HostileScenario ShellAnswers(HostileScenario s, string word) =>
        s.ThenType("echo " + word + "\n", "^" + word + "\r?$");

    [Fact]
    public void KillListStartAndWaitWithoutTheGrantAreRefused()
    {
        var scenario = HostileScenario.Named("process control without the grant").WithShell();
        var result = ShellAnswers(scenario.Attack("hostileauthority processes", AttackOutcome.Exits(0, @" 0 unexpected$",
                         @"no process-manager endpoint", @"listed 0 SIPs", @"killed 0, waited for 0 of 63 guessed SIP ids",
                         @"start counter refused: not permitted")), "shell-still-here")
            .Module("counter")
            .Run()
            .FailedAlone();
        result.Log.DoesNotContain("started by hostileauthority");
        var ended = System.Text.RegularExpressions.Regex.Match(result.Log.Serial, @"sip (console|shell)#\d+ (exited|failed)[^\n]*");
        result.Log.Check(!ended.Success, "the console or the shell ended: " + ended.Value);
    }

    [Fact]
    public void WithTheGrantASipControlsOnlyTheSipsItStarted()
    {
        var scenario = HostileScenario.Named("process control of own children").WithShell().Grant("hostileauthority processes");
        var result = ShellAnswers(scenario.Attack("hostileauthority children", AttackOutcome.Exits(0, @" 0 unexpected$",
                         @"listed 2 SIPs", @"killed 0, waited for 0 of the other SIP ids", "killed its own child")), "shell-still-here")
            .Run()
            .FailedAlone();
        var ended = System.Text.RegularExpressions.Regex.Match(result.Log.Serial, @"sip (console|shell|hostilebystander)#\d+ (exited|failed)[^\n]*");
        result.Log.Check(!ended.Success, "a SIP the attacker did not start ended: " + ended.Value);
        result.Log.Match(@"sip hostileauthority#\d+ failed: killed by hostileauthority#\d+");
    }

    [Fact]
    public void TheGeneratedContractIsWhatTheKernelServesOnTheGrantedEndpoint()
    {
        // The typed ProcessManagerContract.Imp on /kernel/processes: Kill, List, Start, Wait answered as the contract says.
        var result = HostileScenario.Named("process manager contract").Grant("hostileauthority processes")
            .Attack("hostileauthority typed", AttackOutcome.Exits(0, @" 0 unexpected$", "typed requests answered"))
            .Run()
            .FailedAlone();
        result.Log.Match(@"sip hostileauthority#\d+ failed: killed by hostileauthority#\d+");
    }

    [Fact]
    public void AMessageOutsideTheContractFailsOnlyThatChannelAndHostileFieldsAreRefused()
    {
        // Each forgery closes the attacker's process-manager channel (what was answered before stays
        // readable); the attacker goes on, the kernel and the bystander are unaffected, and the
        // channel's memory comes back. Well-formed requests with hostile fields are refused, the channel stays.
        var scenario = HostileScenario.Named("forged process-manager messages").Grant("hostileauthority processes");
        foreach (var kind in new[] { "tag", "negative-tag", "reply-tag", "start-without-text", "kill-with-block", "list-with-endpoint" })
            scenario = scenario.Attack("hostileauthority forge " + kind, AttackOutcome.Exits(0, @" 0 unexpected$",
                "forged " + kind + ": 0 answers, then closed", "still running"));
        scenario = scenario
            .Attack("hostileauthority forge flood", AttackOutcome.Exits(0, @" 0 unexpected$", "forged flood: 16 answers, then closed", "still running"))
            .Attack("hostileauthority forge fields", AttackOutcome.Exits(0, @" 0 unexpected$", "forged fields: refused, channel open", "still running"));
        scenario.Run().FailedAlone().Log.DoesNotContain("started by hostileauthority");
    }

    [Fact]
    public void AForwardedEndpointActsForTheSipItWasGrantedTo()
    {
        // The holder starts a child, sends it its endpoint and so gives its authority away; the child
        // lists the holder's SIPs, cannot kill the holder or anyone else, and what it starts through
        // the endpoint is the holder's child (docs/security.md, "Delegation").
        var result = HostileScenario.Named("delegated process control").Grant("hostileauthority processes name=/hostile/delegate")
            .Attack("hostileauthority delegate", AttackOutcome.Exits(0, @" 0 unexpected$", @"delegated to #\d+"))
            .Run()
            .FailedAlone();
        var holder = System.Text.RegularExpressions.Regex.Match(result.Log.Serial, @"authority#(\d+) delegate: delegated to #(\d+)");
        result.Log.Check(holder.Success, "the holder did not delegate");
        string p = holder.Groups[1].Value, c = holder.Groups[2].Value;
        result.Log.Match(@"authority#" + c + @" delegated: listed 2 SIPs through #" + p + "'s endpoint");
        result.Log.Match(@"authority#" + c + @" delegated: killed 0 other SIPs");
        result.Log.Match(@"authority#" + c + @" delegated: 0 unexpected");
        result.Log.Match(@"sip hostileauthority#\d+ started by hostileauthority#" + p + @" through hostileauthority#" + c);
        result.Log.Match(@"sip hostileauthority#\d+ failed: killed by hostileauthority#" + c);
        result.Log.DoesNotContain("UNEXPECTED");
    }

    [Fact]
    public void TheConsoleNameCannotBeSquattedBeforeWhileOrAfterTheConsoleRuns()
    {
        // Before the console registers its name (it is not started at boot), while it runs, and
        // after it was killed: the attacker holds no grant for it; the console then starts and
        // serves its name as before (the name was never held by anyone else).
        var result = HostileScenario.Named("name squatting")
            .Module("console")
            .Attack("hostileauthority names", AllRefused)
            .ThenConsole("start console", "console: serving /service/console")
            .Attack("hostileauthority names", AllRefused)
            .ThenConsole("kill console", @"sip console#\d+ failed: killed from the debug console")
            .Attack("hostileauthority names", AllRefused)
            .ThenConsole("start console", "console: serving /service/console")
            .Run()
            .FailedAlone();
        result.Log.DoesNotContain("is already taken");
        foreach (var attack in result.Attacks)
            result.Log.Check(attack.Output.Contains("register /service/console -> refused"), $"{attack}: /service/console was not refused");
    }

    [Fact]
    public void GrantedNamesAreCappedPerSipAndReleasedWhenTheSipEnds()
    {
        // Granted nine names, one SIP registers eight (the per-SIP limit) and nothing else; the
        // next instance registers the same eight again: the first one's went when it ended.
        string names = string.Join(" ", Enumerable.Range(0, 9).Select(i => "name=/hostile/n" + i));
        HostileScenario.Named("granted names")
            .Grant("hostileauthority " + names)
            .Attack("hostileauthority granted", AttackOutcome.Exits(0, @" 0 unexpected$", "registered 8 of 9 granted names"))
            .Attack("hostileauthority granted", AttackOutcome.Exits(0, @" 0 unexpected$", "registered 8 of 9 granted names"))
            .Run()
            .FailedAlone();
    }

    [Fact]
    public void ConsoleInputReachesOnlyTheShellAndNotTheAttackerAfterTheShellIsKilled()
    {
        var scenario = HostileScenario.Named("console input").WithShell();
        ShellAnswers(scenario.Attack("hostileauthority input", AttackOutcome.Exits(0, @" 0 unexpected$", "console input refused")), "typed-for-the-shell")
            .ThenConsole("kill shell", @"sip shell#\d+ failed: killed from the debug console")
            .Attack("hostileauthority input", AttackOutcome.Exits(0, @" 0 unexpected$", "console input refused"))
            // With the shell gone, what is typed reaches the kernel debug console, not the attacker.
            .ThenType("echo after-the-shell\n", @"unknown command 'echo after-the-shell'")
            .Run()
            .FailedAlone()
            .Log.DoesNotContain("UNEXPECTED");
    }
}
