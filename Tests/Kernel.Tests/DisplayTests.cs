using System.Text.RegularExpressions;

namespace Singularity.Tests.Kernel;

/// <summary>
/// The VGA text display driver SIP (SIPs/Drivers/Display) and the console service's output on it
/// (SIPs/Services/Console/DisplayOutput.cs), read back from VGA text memory through QEMU's monitor:
/// the shell's output appears on the screen; killing the driver leaves the rest running, the
/// supervisor restarts it and the console redraws its recent output on the new driver's screen; display drivers that reach
/// past the text buffer or ask for RAM fail alone (docs/drivers.md).
/// </summary>
public class DisplayTests
{
    // The console service and the display driver under the supervisor, as `./sing run` boots them.
    private const string Services = "service console restart=3 backoff=50\nservice display restart=3 backoff=50\n";

    // Reads the 80x25 screen through the monitor into the monitor log, between markers.
    private static string Screen(QemuMonitor monitor, string name) =>
        "screen " + name + ":\n" + string.Join("\n", monitor.ReadVgaText()) + "\nend of screen " + name + "\n";

    // Both services serve (in either order): from then on the shell's output reaches the screen.
    private static ScriptStep BothServing(string send) => ScriptStep.Until("console and display serving", (log, from) =>
    {
        int console = log.IndexOf("console: serving /service/console", from, StringComparison.Ordinal);
        int display = log.IndexOf("display: serving /service/display", from, StringComparison.Ordinal);
        return console < 0 || display < 0 ? -1 : Math.Max(console, display) + 10;
    }, _ => send);

    private static string[] ScreenLines(string monitorLog, string name)
    {
        var m = Regex.Match(monitorLog, "screen " + name + ":\n(.*?)\nend of screen " + name + "\n", RegexOptions.Singleline);
        Assert.True(m.Success, "the monitor log holds no screen '" + name + "':\n" + monitorLog);
        return m.Groups[1].Value.Split('\n');
    }

    [Fact]
    public void TheShellsOutputAppearsOnTheScreen()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            SystemManifest = Services,
            Sips = new[] { "shell" },
            Script = new[]
            {
                // The shell waits for input from its start; its first prompt may come before either service.
                BothServing("echo seen on the screen\n"),
                // The console acks a write only after the display showed it, so once the next
                // prompt is on the serial line the output is on the screen.
                ScriptStep.Matching(@"^seen on the screen\r?$", ""),
                new ScriptStep("sh> ", "help\n"),
                ScriptStep.OnMonitor("sh> ", (monitor, _) => Screen(monitor, "shell")),
                // StopWhen looks at the serial line: something must come after the screen was read.
                new ScriptStep("", "echo screen read\n"),
            },
            StopWhen = "screen read",
            Timeout = TimeSpan.FromSeconds(120),
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        boot.Contains("console: showing output on /service/display");
        string[] screen = ScreenLines(boot.Result.MonitorLog, "shell");
        // What the shell printed, where it printed it: the echo's output ends the prompt's line
        // (input is echoed on the serial line only), and help's list of commands.
        boot.Check(screen.Any(l => l.EndsWith("seen on the screen", StringComparison.Ordinal)), "the echo's output is not on the screen:\n" + string.Join("\n", screen));
        boot.Check(screen.Any(l => l.Contains("commands: ps, start <sip> [args], kill <id>", StringComparison.Ordinal)), "help's output is not on the screen:\n" + string.Join("\n", screen));
        // The screen holds the console's text and nothing else (SeaBIOS's banner went with the clear).
        boot.Check(!screen.Any(l => l.Contains("SeaBIOS", StringComparison.Ordinal)), "the BIOS banner is still on the screen");
        boot.Check(screen.Last(l => l.Length > 0).EndsWith("sh>", StringComparison.Ordinal), "the last line is not the prompt:\n" + string.Join("\n", screen));
    }

    // The supervisor's line for a started display driver, whole: its number and the line's end.
    private static readonly Regex DisplayStarted = new(@"supervisor: started display#(\d+)\r?\n");

    [Fact]
    public void KillingTheDisplayDriverLeavesTheRestRunningAndTheRestartedDriverShowsOutput()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            SystemManifest = Services,
            // The bystander reports on the kernel log (not through the console), so the screen
            // holds only the shell's and the supervisor's text.
            Sips = new[] { "shell", "hostilebystander" },
            Script = new[]
            {
                BothServing("echo before the kill\n"),
                ScriptStep.Matching(@"^before the kill\r?$", ""),
                // The supervisor's "started" line goes through the console too and can come after
                // the prompt: wait for both before naming the driver to kill. The whole line (its
                // end seen): the log can hold the line's start without its number yet.
                ScriptStep.Until("the prompt and the supervisor's start of the display", (log, from) =>
                {
                    int prompt = log.IndexOf("sh> ", from, StringComparison.Ordinal);
                    return prompt < 0 || !DisplayStarted.IsMatch(log) ? -1 : prompt + 4;
                }, log => "kill " + DisplayStarted.Matches(log)[^1].Groups[1].Value + "\n"),
                ScriptStep.Matching(@"supervisor: display#\d+ failed; restart 1 of 3", ""),
                new ScriptStep("display: serving /service/display", ""),
                ScriptStep.Matching(HostileScenario.BystanderProgress, "echo after the restart\n"),
                ScriptStep.Matching(@"^after the restart\r?$", ""),
                ScriptStep.OnMonitor("sh> ", (monitor, _) => Screen(monitor, "restarted")),
                new ScriptStep("", "echo screen read\n"),
            },
            StopWhen = "screen read",
            Timeout = TimeSpan.FromSeconds(150),
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        boot.Match(@"sip display#\d+ failed: killed by shell#\d+");
        boot.Check(Regex.Matches(boot.Serial, @"supervisor: started display#\d+").Count == 2, "the supervisor did not start the display driver exactly twice");
        // Nothing else failed: the console, the shell and the bystander went on.
        boot.Check(!Regex.IsMatch(boot.Serial, @"sip (console|shell|hostilebystander|supervisor)#\d+ failed"), "another SIP failed");
        int killedAt = boot.Serial.IndexOf("killed by shell", StringComparison.Ordinal);
        boot.Check(Regex.Matches(boot.Serial[killedAt..], HostileScenario.BystanderProgress).Count >= 1, "the bystander did not go on after the kill");
        boot.DoesNotContain("bystander: CORRUPT");
        string[] screen = ScreenLines(boot.Result.MonitorLog, "restarted");
        string text = string.Join("\n", screen);
        // The restarted driver started from a blank screen and the console resent its recent
        // output: what came before the kill, what the shell wrote while no driver ran (its
        // `killed` line) and what came after the restart are on the screen, in that order.
        int before = Array.FindIndex(screen, l => l.EndsWith("before the kill", StringComparison.Ordinal));
        int killed = Array.FindIndex(screen, l => Regex.IsMatch(l, @"killed \d+$"));
        int after = Array.FindIndex(screen, l => l.EndsWith("after the restart", StringComparison.Ordinal));
        boot.Check(before >= 0 && killed > before && after > killed, "the screen does not show the output before the kill, while the driver was gone and after the restart, in order:\n" + text);
        boot.Contains("display: serving /service/display (80x25 VGA text at 0xB8000, blank screen)");
    }

    [Fact]
    public void DisplayDriversReachingPastTheTextBufferOrAskingForRamFailAlone()
    {
        var result = DriverAttacks.RunExactly(HostileScenario.Named("display drivers outside their grants")
            .Module("vgatextgreedy")
            .ThenConsole("start vgatextgreedy", @"sip vgatextgreedy not started: its I/O memory is not device memory \(RAM, or above 4 GiB\)")
            .Attack("vgatextrogue past", AttackOutcome.Fails(@"^I/O memory access outside its grant$", "vgatextrogue: wrote a cell of its own"))
            .Attack("vgatextrogue far", AttackOutcome.Fails(@"^I/O memory access outside its grant$", "vgatextrogue: wrote a cell of its own")));
        result.Log.Contains("io: vgatextgreedy gets no hardware: its I/O memory is not device memory (RAM, or above 4 GiB)");
        result.Log.Match(@"io: vgatextrogue#\d+ memory access: range 0 offset 0x0000000000000fa0 width 2: outside its grant");
        result.Log.Match(@"io: vgatextrogue#\d+ memory access: range 0 offset 0x000000007ffffff8 width 8: outside its grant");
        result.Log.Match(@"io: vgatextrogue#\d+'s grant released");
    }
}
