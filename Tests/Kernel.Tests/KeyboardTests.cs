using System.Text.RegularExpressions;

namespace Singularity.Tests.Kernel;

/// <summary>
/// The PS/2 keyboard driver SIP (SIPs/Drivers/Keyboard, docs/drivers.md) and interrupt objects
/// (Kernel/Kernel/IO/Drivers/InterruptObjects.cs): keys sent through QEMU's monitor (`sendkey`)
/// reach the driver on IRQ 1 and its subscriber (Tests/TestSips/KeyReader) over KeyboardContract;
/// killing the driver mid-work leaves everything else running, the supervisor restarts it on a
/// reset controller and keys arrive again.
/// </summary>
public class KeyboardTests
{
    private const string Manifest = "service keyboard restart=3 backoff=50\n";
    // The kernel's default grants give `keyboard` its name and the console the keys (Kernel/Kernel/Processes/Grants.cs);
    // the test's reader is granted them too.
    private static readonly string[] ReaderGrant = { "keyreader bind=/service/keyboard" };

    // Sends each key in order (QEMU queues them with their hold times).
    private static string Type(QemuMonitor monitor, params string[] keys)
    {
        var sent = new System.Text.StringBuilder();
        foreach (string k in keys) sent.Append("(qemu) sendkey ").Append(k).Append('\n').Append(monitor.Command("sendkey " + k));
        return sent.ToString();
    }

    [Fact]
    public void KeysReachTheSubscriberThroughTheDriverAndAgainAfterItsRestart()
    {
        int Subscribed(string log, int from, int nth)
        {
            var ms = Regex.Matches(log, "keyreader: subscribed");
            return ms.Count >= nth ? ms[nth - 1].Index + ms[nth - 1].Length : -1;
        }
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            SystemManifest = Manifest,
            Grants = ReaderGrant,
            Sips = new[] { "keyreader", "counter" },
            StopWhen = "keyreader: line 'ls -l'",
            Timeout = TimeSpan.FromSeconds(120),
            Script = new[]
            {
                // Shift, caps lock, ctrl and the arrows go through the decoder; Enter ends the line.
                ScriptStep.OnMonitor("keyreader: subscribed", (m, _) => Type(m, "e", "c", "h", "o", "spc", "shift-h", "i", "shift-1", "ret")),
                ScriptStep.OnMonitor("keyreader: line", (m, _) => Type(m, "caps_lock", "a", "caps_lock", "ctrl-c", "up", "left", "ret")),
                new ScriptStep("keyreader: line 'A'", "kill keyboard\n"),
                new ScriptStep("the second subscription", _ => "")
                {
                    Finder = (log, from) => Subscribed(log, from, 2),
                    MonitorAction = (m, _) => Type(m, "l", "s", "spc", "minus", "l", "ret"),
                },
            },
        });
        boot.DoesNotContain("KERNEL PANIC").DoesNotContain("WRONG");
        boot.Match(@"io: keyboard#\d+ holds 2 port ranges, 0 memory ranges, 1 interrupt lines");
        boot.Exited(QemuExit.StoppedByHarness).Contains("keyboard: serving /service/keyboard (irq 1)");
        boot.Contains("keyreader: line 'echo Hi!'");
        // Caps lock types 'A' (modifiers 4), Ctrl-C is 3 (ctrl held: 2), then Up and Left.
        boot.Contains("keyreader: key 65 modifiers 4");
        boot.Contains("keyreader: key 3 modifiers 2");
        boot.Contains("keyreader: key 257 modifiers 0").Contains("keyreader: key 259 modifiers 0");
        // Killed mid-work: its line and grant went first, the supervisor restarted it, keys work again.
        boot.Match(@"sip keyboard#\d+ failed: killed from the debug console");
        boot.Match(@"io: keyboard#\d+'s grant released");
        boot.Match(@"supervisor: keyboard#\d+ failed; restart 1 of 3 in 50 ms");
        boot.InOrder("keyreader: the keyboard driver went away", "keyreader: line 'ls -l'");
        boot.Check(!Regex.IsMatch(boot.Serial, @"sip counter#\d+ failed"), "the bystander failed");
        int counter = int.Parse(boot.Match(@"counter#(\d+): 1\r?$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        boot.Check(SipTests.CounterValues(boot.Serial[boot.Serial.IndexOf("keyreader: the keyboard driver went away", StringComparison.Ordinal)..], counter).Count >= 1,
                   "the bystander did not keep counting after the driver was killed");
    }

    // Where the nth occurrence of `text` ends after `from`, or -1.
    private static int Nth(string log, int from, string text, int nth)
    {
        int at = from;
        for (int i = 0; i < nth; i++)
        {
            at = log.IndexOf(text, at, StringComparison.Ordinal);
            if (at < 0) return -1;
            at += text.Length;
        }
        return at;
    }

    // Where the later of two texts ends, once both have appeared; else -1.
    private static int Both(string log, string a, string b)
    {
        int x = Nth(log, 0, a, 1), y = Nth(log, 0, b, 1);
        return x < 0 || y < 0 ? -1 : Math.Max(x, y);
    }

    [Fact]
    public void KeysTypedAtTheKeyboardReachTheShellThroughTheDriverAndTheConsoleService()
    {
        // The driver runs under the supervisor; the console service edits lines from its keys and
        // the shell reads them (Libraries/Console merges them with the serial line's).
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            SystemManifest = Manifest,
            Sips = new[] { "console", "shell" },
            // At a line's start: the echo of the typing ("echo keyboard again") must not stop the run before the output.
            StopWhen = "\nkeyboard again",
            Timeout = TimeSpan.FromSeconds(150),
            Script = new[]
            {
                // Typing starts once the shell reads the console's lines and the console reads the driver's keys.
                new ScriptStep("the shell and the console subscribed", _ => "")
                {
                    Finder = (log, _) => Both(log, "console: keyboard lines go to a new reader", "console: reading keys from /service/keyboard"),
                    MonitorAction = (m, _) => Type(m, "e", "c", "h", "o", "spc", "shift-k", "e", "y", "s", "spc", "w", "o", "r", "x", "backspace", "k", "ret"),
                },
                // Killed mid-work (after a line): the supervisor restarts it and the console binds again.
                new ScriptStep("Keys work", "\u001dkill keyboard\n"),
                new ScriptStep("the console binds the restarted driver", _ => "")
                {
                    Finder = (log, _) => Nth(log, 0, "console: reading keys from /service/keyboard", 2),
                    MonitorAction = (m, _) => Type(m, "e", "c", "h", "o", "spc", "k", "e", "y", "b", "o", "a", "r", "d", "spc", "a", "g", "a", "i", "n", "ret"),
                },
            },
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        // The shell's output for the typed command (the echo of the typing is "sh> echo Keys work").
        boot.Match(@"^Keys work\r?$");
        boot.Match(@"sip keyboard#\d+ failed: killed from the debug console");
        boot.Match(@"supervisor: keyboard#\d+ failed; restart 1 of 3 in 50 ms");
        boot.Match(@"^keyboard again\r?$");
        // The kernel and the other SIPs went on: the shell answered after the restart, nothing else failed.
        boot.Check(!Regex.IsMatch(boot.Serial, @"sip (console|shell)#\d+ failed"), "the console service or the shell failed");
    }
}
