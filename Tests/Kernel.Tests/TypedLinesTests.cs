using System.Text.RegularExpressions;

namespace Singularity.Tests.Kernel;

/// <summary>
/// Lines typed at the keyboard (SIPs/Services/Console/KeyboardInput.cs, docs/drivers.md): the
/// console service echoes them on the display while they are typed (Backspace erasing), read back
/// from VGA text memory through QEMU's monitor; and only a SIP granted `console-lines` may
/// subscribe to them (docs/security.md): an ungranted one is refused by the name service with a
/// reason in the log, and the shell goes on getting the lines.
/// </summary>
public class TypedLinesTests
{
    // The whole system as `./sing run` boots it: the console, the display and keyboard drivers, the shell.
    private const string System = "service console restart=3 backoff=50\nservice display restart=3 backoff=50\nservice keyboard restart=3 backoff=50\n";

    private static string Type(QemuMonitor monitor, params string[] keys)
    {
        var sent = new System.Text.StringBuilder();
        foreach (string k in keys) sent.Append("(qemu) sendkey ").Append(k).Append('\n').Append(monitor.Command("sendkey " + k));
        return sent.ToString();
    }

    private static string Screen(QemuMonitor monitor, string name) =>
        "screen " + name + ":\n" + string.Join("\n", monitor.ReadVgaText()) + "\nend of screen " + name + "\n";

    private static string[] ScreenLines(string monitorLog, string name)
    {
        var m = Regex.Match(monitorLog, "screen " + name + ":\n(.*?)\nend of screen " + name + "\n", RegexOptions.Singleline);
        Assert.True(m.Success, "the monitor log holds no screen '" + name + "':\n" + monitorLog);
        return m.Groups[1].Value.Split('\n');
    }

    // Where the later of the texts ends, once all have appeared after `from`; else -1.
    private static int All(string log, int from, params string[] texts)
    {
        int end = -1;
        foreach (string t in texts)
        {
            int at = log.IndexOf(t, from, StringComparison.Ordinal);
            if (at < 0) return -1;
            end = Math.Max(end, at + t.Length);
        }
        return end;
    }

    // Typing starts once the shell reads the console's lines, the console reads the driver's keys and the display serves.
    private static ScriptStep WhenAllServe(Func<QemuMonitor, string, string> action) => new("the shell, the console and the display ready", _ => "")
    {
        // The supervisors' "started" lines too: they reach the serial line through the console
        // whenever it serves, and one printed between two typed keys splits the echo waited for.
        Finder = (log, from) => All(log, 0, "console: keyboard lines go to a new reader", "console: reading keys from /service/keyboard", "display: serving /service/display",
                                    "supervisor: started console#", "supervisor: started display#", "supervisor: started keyboard#"),
        MonitorAction = action,
    };

    // Once the serial line shows `echo` (the console's echo of what was typed), the next keys.
    private static ScriptStep Echoed(string echo, Func<QemuMonitor, string, string> action) => new("echoed '" + echo + "'", _ => "")
    {
        Finder = (log, _) => All(log, 0, echo),     // the echo of this line is the only such text in the log
        MonitorAction = action,
    };

    [Fact]
    public void KeysTypedAtTheKeyboardAreOnTheScreenBeforeEnterAndTheShellsAnswerAfter()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            SystemManifest = System,
            Sips = new[] { "shell" },
            Script = new[]
            {
                // A line with a typo erased by Backspace; no Enter yet. In pieces of at most 8 keys,
                // each sent once the last is echoed, so QEMU's keyboard queue (16 bytes) never fills.
                WhenAllServe((m, _) => Type(m, "e", "c", "h", "o", "spc")),
                Echoed("echo ", (m, _) => Type(m, "o", "n", "spc")),
                Echoed("echo on ", (m, _) => Type(m, "s", "c", "r", "e", "e", "n")),
                Echoed("echo on screen", (m, _) => Type(m, "x", "backspace")),
                // The console echoes on the display before the serial line: once the serial line shows
                // the Backspace's erasure ("\b \b"), the screen does too. Read it, then Enter.
                Echoed("x\b \b", (m, _) => Screen(m, "before enter") + Type(m, "ret")),
                // The shell's answer, then its next prompt: the console acks a write only after the
                // display showed it, so with the prompt on the serial line the answer is on the screen.
                ScriptStep.Matching(@"^on screen\r?$", ""),
                ScriptStep.OnMonitor("sh> ", (m, _) => Screen(m, "after enter")),
                // StopWhen looks at the serial line: something must come after the screen was read.
                new ScriptStep("", "echo screen read\n"),
            },
            StopWhen = "screen read",
            Timeout = TimeSpan.FromSeconds(150),
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        string[] before = ScreenLines(boot.Result.MonitorLog, "before enter");
        string shown = string.Join("\n", before);
        // The line being typed, where the cursor was (after the prompt, or after what the supervisor
        // printed meanwhile), with the erased 'x' gone; the shell has not answered.
        boot.Check(before.Any(l => l.EndsWith("echo on screen", StringComparison.Ordinal)), "the typed line is not on the screen before Enter:\n" + shown);
        boot.Check(!before.Any(l => l.Contains("screenx", StringComparison.Ordinal)), "Backspace did not erase the 'x' on the screen:\n" + shown);
        boot.Check(!before.Any(l => l == "on screen"), "the shell's answer is on the screen before Enter:\n" + shown);
        string[] after = ScreenLines(boot.Result.MonitorLog, "after enter");
        int typed = Array.FindLastIndex(after, l => l.EndsWith("echo on screen", StringComparison.Ordinal));
        boot.Check(typed >= 0 && typed + 1 < after.Length && after[typed + 1] == "on screen",
                   "the shell's answer does not follow the typed line on the screen:\n" + string.Join("\n", after));
    }

    [Fact]
    public void ASipWithoutTheGrantCannotSubscribeToTypedLinesAndTheShellStillGetsThem()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            // The attacker is a boot module started from the debug console once the shell subscribed.
            CommandLine = "sips=console,shell",
            SystemManifest = "service keyboard restart=3 backoff=50\n",
            Sips = new[] { "console", "shell", "hostileauthority" },
            Script = new[]
            {
                new ScriptStep("the shell and the console subscribed", _ => "\u001dstart hostileauthority lines\n")
                {
                    Finder = (log, from) => All(log, 0, "console: keyboard lines go to a new reader", "console: reading keys from /service/keyboard"),
                },
                // Refused (and ended) before anything is typed: then a line for the shell.
                new ScriptStep(@"sip hostileauthority#\d+ exited", _ => "")
                {
                    Finder = (log, from) => { var m = Regex.Match(log[from..], @"sip hostileauthority#\d+ (exited|failed)[^\n]*\n"); return m.Success ? from + m.Index + m.Length : -1; },
                    MonitorAction = (m, _) => Type(m, "e", "c", "h", "o", "spc", "s", "t", "i", "l", "l", "spc", "t", "h", "e", "spc", "s", "h", "e", "l", "l", "s", "ret"),
                },
            },
            // At a line's start: the echo of the typing ("sh> echo still the shells") must not stop the run.
            StopWhen = "\nstill the shells",
            Timeout = TimeSpan.FromSeconds(150),
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC").DoesNotContain("UNEXPECTED");
        // Refused by the name service, with the reason; the attacker saw every bind refused and exited.
        boot.Match(@"names: hostileauthority#\d+ may not bind /service/console-lines: the system manifest does not grant its module console-lines");
        boot.Match(@"authority#\d+ lines: console lines refused");
        // The keys and the serial line behind the console are guarded the same way (bind=).
        boot.Match(@"names: hostileauthority#\d+ may not bind /service/keyboard: the system manifest does not grant its module bind=/service/keyboard");
        boot.Match(@"names: hostileauthority#\d+ may not bind /service/serial: the system manifest does not grant its module bind=/service/serial");
        boot.Match(@"authority#\d+ lines: keyboard keys refused");
        boot.Match(@"authority#\d+ lines: serial line refused");
        // A loop of binds is refused every time, but the log names a SIP's first 16 refusals only.
        boot.Match(@"authority#\d+ lines: 200 binds in a loop refused");
        boot.Check(Regex.Matches(boot.Serial, @"names: hostileauthority#\d+ may not bind ").Count == 16, "the log does not name exactly the attacker's first 16 refused binds");
        boot.Match(@"names: hostileauthority#\d+: further refused binds are not logged");
        boot.Match(@"authority#\d+ lines: 0 unexpected");
        boot.Match(@"sip hostileauthority#\d+ exited with code 0");
        // The console never gave the lines to another reader: the shell's subscription is the only one.
        boot.Check(Regex.Matches(boot.Serial, "console: keyboard lines go to a new reader").Count == 1, "the console took a second reader of its lines");
        // The line typed after the attack reached the shell, which answered.
        boot.Match(@"^still the shells\r?$");
        boot.Check(!Regex.IsMatch(boot.Serial, @"sip (console|shell|keyboard)#\d+ failed"), "the console, the shell or the keyboard driver failed");
    }
}
