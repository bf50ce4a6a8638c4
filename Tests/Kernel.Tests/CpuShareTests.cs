using System.Globalization;
using System.Text.RegularExpressions;

namespace Singularity.Tests.Kernel;

/// <summary>
/// CPU shares per SIP and granted priorities (issue 13; docs/scheduling.md): a SIP's threads share
/// its share, so many threads buy no more CPU than one; the system manifest (or the parent) grants
/// a SIP its share and its highest priority, and a SIP cannot raise itself above that grant.
/// CPU time comes from the kernel's accounting (the debug console's `cpu MS`), never from how
/// fast anything ran: only the proportions are asserted.
/// </summary>
public class CpuShareTests
{
    private const int WindowMs = 6000;

    /// <summary>
    /// Three spinning SIPs: `many` runs 100 threads, `one`
    /// runs one, both with the default share; `weighted` runs one under a supervisor that the system
    /// manifest granted twice the default share (the service inherits its parent's grant). Beside
    /// them the console service and `counter`, a bystander printing through it. One `cpu` window
    /// measures what each SIP got; then, with the hogs still spinning, the shell is started from the
    /// debug console and answers a command.
    /// </summary>
    private static readonly Lazy<(BootAssert Boot, CpuWindow Cpu)> s_spinners = new(() =>
    {
        // `many` runs under a supervisor granted 100 threads and the kernel memory their stacks take.
        string manifest = SystemManifest("spinners", "service cpuhog spin 1 weighted cpu=200\nservice cpuhog spin 100 many threads=100 kernel=16\n");
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "sips=console,counter,cpuhog",
            Sips = new[] { "console", "counter", "cpuhog spin 1 one", "supervisor", "shell" },
            Modules = new[] { manifest },
            Script = new[]
            {
                ScriptStep.Until("three hogs spinning", (log, from) =>
                {
                    var spinning = Regex.Matches(log, @"cpuhog#\d+ \w+: \d+ threads spinning\r?\n");
                    return spinning.Count >= 3 ? spinning[2].Index + spinning[2].Length : -1;
                }, _ => $"cpu {WindowMs}\n"),
                ScriptStep.Matching(@"cpu: kernel \d+ ms, idle \d+ ms\r?\n", "ps\n"),
                ScriptStep.Matching(@"^\s+\d+\s+cpuhog\s", "start shell\n"),
                ScriptStep.Matching(@"sip shell#\d+ started from the debug console", ""),
                new ScriptStep("sh> ", ""),
                // The shell reads the serial line once its prompt is out; give it two bystander lines.
                ScriptStep.Matching(Bystander, ""),
                ScriptStep.Matching(Bystander, "echo the hogs are still spinning\n"),
                ScriptStep.Matching(@"^the hogs are still spinning\r?$", ""),
            },
            StopWhen = "sh> ",
            Timeout = TimeSpan.FromSeconds(180),
        }, name: "CpuShare_spinners");
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        return (boot, CpuWindow.Parse(boot));
    });

    private const string Bystander = @"counter#\d+: \d+";

    [Fact]
    public void ASipWithAHundredSpinningThreadsGetsNoMoreCpuThanOneWithOne()
    {
        var (boot, cpu) = s_spinners.Value;
        boot.Match(@"cpuhog#\d+ many: 100 threads spinning");
        long many = cpu.Used("many"), one = cpu.Used("one");
        boot.Check(one > 0 && many > 0, $"a spinning SIP got no CPU at all: {cpu}");
        boot.Check(many <= one * 1.10, $"the SIP with 100 threads got {many} ms, the one with 1 thread {one} ms (more than 10% apart): {cpu}");
        boot.Check(one <= many * 1.10, $"the SIP with 1 thread got {one} ms, the one with 100 threads {many} ms (more than 10% apart): {cpu}");
    }

    [Fact]
    public void ASipGrantedTwiceTheShareGetsTwiceTheCpu()
    {
        var (boot, cpu) = s_spinners.Value;
        boot.Match(@"^\s+\d+\s+supervisor\s+running\s+\d+\s+\d+\s+\d+\s+\d+\s+200\s+normal");
        long weighted = cpu.Used("weighted"), one = cpu.Used("one");
        boot.Check(one > 0, $"the SIP with the default share got no CPU: {cpu}");
        double ratio = (double)weighted / one;
        boot.Check(ratio >= 1.8 && ratio <= 2.2, $"the SIP granted cpu=200 got {weighted} ms, the one with the default 100 got {one} ms (ratio {ratio:F2}, expected 2 within 10%): {cpu}");
    }

    [Fact]
    public void TheShellConsoleAndABystanderStayResponsiveBesideTheHogs()
    {
        var (boot, cpu) = s_spinners.Value;
        string log = boot.Serial;
        // The bystander printed through the console service while the hogs spun, during the window and after it.
        int window = log.IndexOf("cpu: window", StringComparison.Ordinal);
        int spinning = Regex.Matches(log, @"cpuhog#\d+ \w+: \d+ threads spinning\n")[2].Index;
        int during = Regex.Matches(log[spinning..window], Bystander).Count;
        boot.Check(during >= 3, $"the bystander printed {during} lines through the console while the hogs spun for the {WindowMs} ms window");
        // The hogs were all still spinning when the shell answered (none of them ended).
        boot.Check(!Regex.IsMatch(log, @"sip cpuhog#\d+ (?:exited|failed)"), "a hog ended before the shell answered");
        boot.Check(cpu.Used("many") > 0 && cpu.Used("one") > 0 && cpu.Used("weighted") > 0, $"a hog did not run: {cpu}");
        boot.InOrder("shell: type 'help' for commands", "the hogs are still spinning");
        boot.Match(@"^the hogs are still spinning\r?$");
    }

    [Fact]
    public void ASipCannotRaiseItsPriorityAboveItsGrant()
    {
        // One instance at boot with the default grant (Normal); two under supervisors the system
        // manifest granted Low and High. Bad grants are reported and their lines skipped.
        string manifest = SystemManifest("priorities",
            "service cpuhog priority low priority=low\n" +
            "service cpuhog priority high priority=high cpu=50\n" +
            "service cpuhog priority bad priority=urgent\n" +
            "service cpuhog priority bad cpu=0\n" +
            "service cpuhog priority bad cpu=1001\n");
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "sips=cpuhog",
            Sips = new[] { "cpuhog priority default", "supervisor" },
            Modules = new[] { manifest },
            Script = new[]
            {
                ScriptStep.Until("three instances done", (log, from) =>
                {
                    var done = Regex.Matches(log, @"cpuhog#\d+ \w+: done\r?\n");
                    return done.Count >= 3 ? done[2].Index + done[2].Length : -1;
                }, _ => "ps\n"),
                new ScriptStep("  ID NAME", ""),
            },
            StopWhen = "kdb> ",
            Timeout = TimeSpan.FromSeconds(120),
        }, name: "CpuShare_priorities");
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        boot.Contains("system manifest: line 3 has a bad value in 'priority=urgent'; skipped")
            .Contains("system manifest: line 4 has a bad value in 'cpu=0'; skipped")
            .Contains("system manifest: line 5 has a bad value in 'cpu=1001'; skipped");
        const string Never = "0 refused, 4 refused, -1 refused";   // below Low or no priority at all
        Expect("default", "high refused, normal ok, low ok, normal ok, " + Never, share: 100, max: "normal", threads: "normal");
        Expect("low", "high refused, normal refused, low ok, normal refused, " + Never, share: 100, max: "low", threads: "low");
        Expect("high", "high ok, normal ok, low ok, normal ok, " + Never, share: 50, max: "high", threads: "normal");

        // What the instance reported, and what `ps` shows of its grant and of its two threads'
        // priorities (the main thread's last request, and a thread started after it).
        void Expect(string label, string report, int share, string max, string threads)
        {
            var m = boot.Match($@"cpuhog#(\d+) {label}: (.*)\n");
            boot.Check(m.Groups[2].Value == report, $"the instance granted {max} reported \"{m.Groups[2].Value}\", expected \"{report}\"");
            var sip = PsEntry.Find(boot.Serial, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            boot.Check(sip != null, $"`ps` does not list cpuhog#{m.Groups[1].Value}");
            boot.Check(sip!.Share == share && sip.MaxPriority == max, $"`ps` shows cpuhog {label} with share {sip.Share} and priority up to {sip.MaxPriority}, expected {share} and {max}");
            boot.Check(sip.ThreadPriorities.Count == 2 && sip.ThreadPriorities.All(p => p == threads),
                       $"`ps` shows the threads of cpuhog {label} at [{string.Join(", ", sip.ThreadPriorities)}], expected two at {threads}");
        }
    }

    private static string SystemManifest(string test, string text)
    {
        string dir = Path.Combine(QemuRunner.RepoRoot, "artifacts", "test-manifests", "CpuShare_" + test);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "system.manifest");
        File.WriteAllText(path, text);
        return path;
    }
}

/// <summary>The CPU time of each labelled cpuhog instance in the `cpu MS` window of a boot.</summary>
internal sealed class CpuWindow
{
    private readonly Dictionary<string, long> _used = new();
    private long _window;

    public static CpuWindow Parse(BootAssert boot)
    {
        string log = boot.Serial;
        var labels = new Dictionary<string, string>();
        foreach (Match m in Regex.Matches(log, @"cpuhog#(\d+) (\w+): \d+ threads spinning"))
            labels[m.Groups[1].Value] = m.Groups[2].Value;
        var result = new CpuWindow();
        var w = Regex.Match(log, @"cpu: window (\d+) ms\n((?:cpu: sip [^\n]*\n)*)cpu: kernel");
        boot.Check(w.Success, "no `cpu` window in the log");
        result._window = long.Parse(w.Groups[1].Value, CultureInfo.InvariantCulture);
        foreach (Match line in Regex.Matches(w.Groups[2].Value, @"cpu: sip cpuhog#(\d+) (\d+) ms"))
            if (labels.TryGetValue(line.Groups[1].Value, out string? label))
                result._used[label] = long.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture);
        return result;
    }

    /// <summary>Milliseconds the instance labelled <paramref name="label"/> ran in the window.</summary>
    public long Used(string label) => _used.TryGetValue(label, out long ms) ? ms : 0;

    public override string ToString() =>
        $"window {_window} ms: " + string.Join(", ", _used.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value} ms"));
}

/// <summary>One SIP as the debug console's `ps` lists it, with its live threads' priorities.</summary>
internal sealed record PsEntry(int Id, string Name, int Share, string MaxPriority, List<string> ThreadPriorities)
{
    private static readonly Regex SipLine = new(
        @"^\s+(\d+)\s+(\S+)\s+(?:running|exited|failed)\s+\d+\s+\d+\s+\d+\s+\d+\s+(\d+)\s+(\w+)\s*$", RegexOptions.Multiline);
    private static readonly Regex ThreadLine = new(@"^\s+thread \d+ \w+ (\w+) cpu \d+ ms\s*$");

    /// <summary>SIP <paramref name="id"/> in the last `ps` of the log, or null.</summary>
    public static PsEntry? Find(string log, int id)
    {
        int ps = log.LastIndexOf("  ID NAME", StringComparison.Ordinal);
        if (ps < 0) return null;
        string[] lines = log[ps..].Split('\n');
        for (int i = 1; i < lines.Length; i++)
        {
            var m = SipLine.Match(lines[i]);
            if (!m.Success || int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) != id) continue;
            var threads = new List<string>();
            for (int j = i + 1; j < lines.Length; j++)
            {
                var t = ThreadLine.Match(lines[j]);
                if (!t.Success) break;
                threads.Add(t.Groups[1].Value);
            }
            return new PsEntry(id, m.Groups[2].Value, int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), m.Groups[4].Value, threads);
        }
        return null;
    }
}
