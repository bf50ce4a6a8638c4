using System.Text.RegularExpressions;

namespace Singularity.Tests.Kernel;

/// <summary>
/// The console service speaking ConsoleContract with clients of the console client library
/// (Libraries/Console), and clients that break the contract.
/// </summary>
public class ConsoleServiceTests
{
    private const int Lines = 12;
    private const int Writers = 3;

    [Fact]
    public void LinesFromSeveralClientsNeverInterleave()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            Sips = new[] { "console", "consoleclients lines " + Lines, "consoleclients lines " + Lines, "consoleclients lines " + Lines },
            // Wait until every writer has reported; then the harness stops at the last report.
            Script = new[] { ScriptStep.Until("every writer done", (log, from) => AllDone(log, from), _ => "") },
            StopWhen = "lines",
            Timeout = TimeSpan.FromSeconds(120),
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC").Contains("console: serving /service/console");
        // Every line a writer wrote arrived whole: its prefix, 700 of its own letter, the closing
        // bracket, on one line of the log (a line written in pieces by two writers would break it).
        // The kernel's own lines (a writer's exit, the debug console's prompt) do not go through
        // the console service and may fall anywhere; they are taken out first.
        string log = Regex.Replace(boot.Serial, @"sip consoleclients#\d+ exited with code 0\r?\n|kdb> ", "");
        var whole = new Regex(@"^line (\d+)\.(\d+) <([a-z])\3{699}>\r?$", RegexOptions.Multiline);
        int count = whole.Matches(log).Count;
        boot.Check(count == Lines * Writers, "expected " + (Lines * Writers) + " whole lines, found " + count);
        // No fragment of a line outside a whole one: every "line N." starts a whole line.
        int starts = Regex.Matches(log, @"line \d+\.\d+ <").Count;
        boot.Check(starts == count, starts + " lines started but only " + count + " are whole");
    }

    private static int AllDone(string log, int from)
    {
        var m = Regex.Matches(log[from..], @"consoleclients#\d+: wrote \d+ lines");
        return m.Count >= Writers ? from + m[Writers - 1].Index : -1;
    }

    [Fact]
    public void AClientOfTheWrongContractDoesNotFailTheConsole()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            Sips = new[] { "console", "consoleclients wrong" },
            StopWhen = "sip consoleclients#2 exited",
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        boot.InOrder("console: serving /service/console", "consoleclients: sent Bye as an EchoContract client")
            .Contains("consoleclients: the carried channel was closed by the console")
            .Contains("consoleclients: the console still serves")
            .DoesNotContain("FAILED")
            .DoesNotContain("sip console#1 failed");
    }
}
