using System.Text.RegularExpressions;

namespace Singularity.Tests.Kernel;

/// <summary>
/// The 16550 serial driver SIP (SIPs/Drivers/Serial, COM2: ports 0x2F8-0x2FF, IRQ 3) and the console
/// service's serial line through it (SIPs/Services/Console/SerialLine.cs, docs/drivers.md "The
/// serial driver"). The line is QEMU's second serial port on a Unix socket (SecondSerial); COM1
/// stays the kernel's log and debug console, which the harness reads as always. Text typed on the
/// line reaches the shell and its answer comes back on the line; killing the driver mid-line leaves
/// the rest running, the supervisor restarts it and the line works again (the half-typed line
/// included); a serial driver reaching outside its ports fails alone.
/// </summary>
public class SerialTests
{
    // The console service and the serial driver under the supervisor, as `./sing run` boots them.
    private const string Services = "service console restart=3 backoff=50\nservice serial restart=3 backoff=50\n";
    private const string ConsoleReadsTheLine = "console: reading the serial line from /service/serial";
    private const string ShellReadsTheConsole = "console: keyboard lines go to a new reader";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    // Where the nth occurrence of `text` ends, or -1.
    private static int Nth(string log, string text, int nth)
    {
        int at = 0;
        for (int i = 0; i < nth; i++)
        {
            at = log.IndexOf(text, at, StringComparison.Ordinal);
            if (at < 0) return -1;
            at += text.Length;
        }
        return at;
    }

    // Once the shell reads the console's lines and the console reads the driver's bytes: where the later of the two lines ends.
    private static int BothSubscribed(string log, int from)
    {
        int shell = Nth(log, ShellReadsTheConsole, 1), console = Nth(log, ConsoleReadsTheLine, 1);
        return shell < 0 || console < 0 ? -1 : Math.Max(shell, console);
    }

    // Types on the line and waits until the line shows `answer`; the monitor log says what happened.
    private static string TypeAndWait(SecondSerial line, string typed, string answer, int count = 1)
    {
        line.Type(typed);
        return "typed " + Regex.Escape(typed) + ": " + (line.WaitFor(answer, Patience, count) ? "answered" : "NO ANSWER " + Regex.Escape(answer));
    }

    [Fact]
    public void TextTypedOnTheSerialLineReachesTheShellAndItsAnswerComesBack()
    {
        using var line = new SecondSerial();
        var boot = BootAssert.Boot(new BootOptions
        {
            SystemManifest = Services,
            Sips = new[] { "shell" },
            QemuArguments = line.Arguments,
            Script = new[]
            {
                // The shell reads the console's lines and the console reads the driver's bytes.
                ScriptStep.Until("the shell and the console subscribed", BothSubscribed, _ => "") with
                {
                    // A typo and Delete (0x7f) on the way: the console edits the line.
                    MonitorAction = (_, _) => TypeAndWait(line, "echo over the seriall\u007f line\r", "\nover the serial line\nsh> "),
                },
            },
            StopWhen = "",
            Timeout = TimeSpan.FromSeconds(150),
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        boot.Match(@"io: serial#\d+ holds 1 port ranges, 0 memory ranges, 1 interrupt lines");
        boot.Contains("serial: serving /service/serial (COM2 at 0x2F8, irq 3)");
        boot.Contains("console: writing to the serial line through /service/serial");
        string transcript = line.Transcript;
        boot.Check(!boot.Result.MonitorLog.Contains("NO ANSWER", StringComparison.Ordinal), "the line did not answer:\n" + boot.Result.MonitorLog + "\nline:\n" + transcript);
        // The console echoed the typing (the typo rubbed out) and the shell's answer and next prompt came back on the line ...
        boot.Check(transcript.Contains("echo over the seriall\b \b line\n", StringComparison.Ordinal), "the typing was not echoed on the line:\n" + transcript);
        boot.Check(transcript.Contains("\nover the serial line\nsh> ", StringComparison.Ordinal), "the shell's answer is not on the line:\n" + transcript);
        // ... and not on the kernel's log: the console's output went through the driver.
        boot.Check(!Regex.IsMatch(boot.Serial, @"^over the serial line\r?$", RegexOptions.Multiline), "the shell's answer went to the kernel log");
    }

    [Fact]
    public void KillingTheSerialDriverMidLineLeavesTheRestRunningAndTheRestartedDriverServesTheLine()
    {
        using var line = new SecondSerial();
        var boot = BootAssert.Boot(new BootOptions
        {
            SystemManifest = Services,
            // The bystander reports on the kernel log.
            Sips = new[] { "shell", "hostilebystander" },
            QemuArguments = line.Arguments,
            Script = new[]
            {
                ScriptStep.Until("the shell and the console subscribed", BothSubscribed, _ => "") with
                {
                    // A whole command, then half of one: the driver dies with a line half typed.
                    MonitorAction = (_, _) => TypeAndWait(line, "echo before the kill\r", "\nbefore the kill\nsh> ") + "\n" + TypeAndWait(line, "echo half", "echo half"),
                },
                // Killed from the kernel's debug console on COM1 (Ctrl-]: the shell owns COM1's input).
                new ScriptStep("", "\u001dkill serial\n"),
                ScriptStep.Matching(@"supervisor: serial#\d+ failed; restart 1 of 3", ""),
                ScriptStep.Matching(HostileScenario.BystanderProgress, ""),
                // The console subscribes to the restarted driver; the half-typed line lives in the console.
                ScriptStep.Until("the console subscribed again", (log, _) => Nth(log, ConsoleReadsTheLine, 2), _ => "") with
                {
                    MonitorAction = (_, _) => TypeAndWait(line, "way\r", "\nhalfway\nsh> ") + "\n" + TypeAndWait(line, "echo after the restart\r", "\nafter the restart\nsh> "),
                },
            },
            StopWhen = "",
            Timeout = TimeSpan.FromSeconds(180),
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        string transcript = line.Transcript;
        boot.Check(!boot.Result.MonitorLog.Contains("NO ANSWER", StringComparison.Ordinal), "the line did not answer:\n" + boot.Result.MonitorLog + "\nline:\n" + transcript);
        boot.Match(@"sip serial#\d+ failed: killed from the debug console");
        boot.Match(@"io: serial#\d+'s grant released");
        boot.Check(Regex.Matches(boot.Serial, Regex.Escape("serial: serving /service/serial")).Count == 2, "the restarted driver did not serve the line");
        // The line worked before the kill, with the line finished across the restart, and after it.
        boot.Check(transcript.Contains("\nbefore the kill\nsh> ", StringComparison.Ordinal), "no answer before the kill:\n" + transcript);
        boot.Check(transcript.Contains("\nhalfway\nsh> ", StringComparison.Ordinal), "the line typed across the restart did not reach the shell whole:\n" + transcript);
        boot.Check(transcript.Contains("\nafter the restart\nsh> ", StringComparison.Ordinal), "no answer after the restart:\n" + transcript);
        // Nothing else failed: the console, the shell, the supervisor and the bystander went on.
        boot.Check(!Regex.IsMatch(boot.Serial, @"sip (console|shell|hostilebystander|supervisor)#\d+ failed"), "another SIP failed");
        int killedAt = boot.Serial.IndexOf("killed from the debug console", StringComparison.Ordinal);
        boot.Check(Regex.Matches(boot.Serial[killedAt..], HostileScenario.BystanderProgress).Count >= 1, "the bystander did not go on after the kill");
        boot.DoesNotContain("bystander: CORRUPT");
    }

    [Fact]
    public void SerialDriversReachingOutsideTheirPortsFailAlone()
    {
        var result = DriverAttacks.RunExactly(HostileScenario.Named("serial drivers outside their grant")
            .Attack("serialrogue past", AttackOutcome.Fails(@"^I/O port access outside its grant$", "serialrogue: wrote its own scratch register"))
            .Attack("serialrogue wide", AttackOutcome.Fails(@"^I/O port access outside its grant$", "serialrogue: wrote its own scratch register"))
            .Attack("serialrogue com1", AttackOutcome.Fails(@"^I/O port access outside its grant$", "serialrogue: wrote its own scratch register")));
        result.Log.Match(@"io: serialrogue#\d+ holds 1 port ranges, 0 memory ranges, 1 interrupt lines");
        result.Log.Match(@"io: serialrogue#\d+ port access: range 0 offset 0x0000000000000008 width 1: outside its grant");
        result.Log.Match(@"io: serialrogue#\d+ port access: range 0 offset 0x0000000000000007 width 2: outside its grant");
        result.Log.Match(@"io: serialrogue#\d+ port access: range 0 offset 0x0000000000000100 width 1: outside its grant");
        result.Log.Match(@"io: serialrogue#\d+'s grant released");
    }
}
