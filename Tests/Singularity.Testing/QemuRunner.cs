using System.Diagnostics;
using System.Text;

namespace Singularity.Testing;

/// <summary>What to boot and how.</summary>
public sealed record BootOptions
{
    /// <summary>The kernel command line (-append). Ignored for ISO boots, whose grub.cfg carries it.</summary>
    public string CommandLine { get; init; } = "";
    public int MemoryMiB { get; init; } = 128;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(90);
    /// <summary>Boot this ISO with -cdrom instead of the kernel with -kernel.</summary>
    public string? Iso { get; init; }
    /// <summary>
    /// Boot the production image users boot (artifacts/kernel/kernel.elf, no test module) instead
    /// of the test image (kernel-test.elf: the same kernel with Kernel/KernelTests linked in).
    /// </summary>
    public bool Production { get; init; }
    /// <summary>Stop QEMU as soon as the serial log contains this text.</summary>
    public string? StopWhen { get; init; }
    /// <summary>SIP images to load as multiboot modules: "name [arguments]", name from artifacts/sips/NAME.elf.</summary>
    public IReadOnlyList<string> Sips { get; init; } = Array.Empty<string>();
    /// <summary>Raw module paths (with optional arguments), for images that are not built SIPs.</summary>
    public IReadOnlyList<string> Modules { get; init; } = Array.Empty<string>();
    /// <summary>
    /// Grant lines for the system manifest ("MODULE RIGHTS...", docs/security.md): when any are
    /// given, a `system.manifest` boot module holding them as `grant` lines is added.
    /// </summary>
    public IReadOnlyList<string> Grants { get; init; } = Array.Empty<string>();
    /// <summary>Console input: each step waits until the serial log shows its text (after the previous step), then types its input.</summary>
    public IReadOnlyList<ScriptStep> Script { get; init; } = Array.Empty<ScriptStep>();
}

/// <summary>
/// One step of console input: wait until the serial log shows <see cref="WaitFor"/>, then type
/// what <see cref="Send"/> returns for the log so far (so input can depend on earlier output).
/// </summary>
public sealed record ScriptStep(string WaitFor, Func<string, string> Send)
{
    public ScriptStep(string waitFor, string send) : this(waitFor, _ => send) { }

    /// <summary>When set, <see cref="WaitFor"/> is a regular expression (multiline) instead of literal text.</summary>
    public bool IsPattern { get; init; }

    /// <summary>
    /// When set, decides instead of <see cref="WaitFor"/>: given the log and where the previous
    /// step's text ended, where the awaited text ends, or -1 while it has not appeared.
    /// </summary>
    public Func<string, int, int>? Finder { get; init; }

    /// <summary>A step that waits for a match of <paramref name="pattern"/> (multiline) after the previous step.</summary>
    public static ScriptStep Matching(string pattern, string send) => new(pattern, _ => send) { IsPattern = true };

    /// <summary>A step that waits until <paramref name="finder"/> finds what it waits for (see <see cref="Finder"/>).</summary>
    public static ScriptStep Until(string description, Func<string, int, int> finder, Func<string, string> send) =>
        new(description, send) { Finder = finder };

    /// <summary>Where the awaited text ends in <paramref name="text"/> at or after <paramref name="from"/>, or -1.</summary>
    internal int FindEnd(string text, int from)
    {
        if (Finder != null) return Finder(text, from);
        if (!IsPattern)
        {
            int at = text.IndexOf(WaitFor, from, StringComparison.Ordinal);
            return at < 0 ? -1 : at + WaitFor.Length;
        }
        var m = new System.Text.RegularExpressions.Regex(WaitFor, System.Text.RegularExpressions.RegexOptions.Multiline).Match(text, from);
        return m.Success ? m.Index + m.Length : -1;
    }
}

/// <summary>The outcome of one boot: how it ended and everything the kernel wrote to serial.</summary>
public sealed record BootResult(QemuExit Exit, int? Status, string Serial, string QemuStderr, TimeSpan Elapsed);

/// <summary>
/// Boots the kernel under QEMU (TCG, no KVM needed) with serial on stdout, isa-debug-exit for
/// the verdict and -no-reboot; enforces its own timeout and kills QEMU when it expires.
/// </summary>
public static class QemuRunner
{
    public static string RepoRoot { get; } = FindRepoRoot();
    /// <summary>The image the test suites boot: the kernel with its test module (`test=`, `inject`), from Kernel/KernelTests.</summary>
    public static string KernelImage => Path.Combine(RepoRoot, "artifacts", "kernel", "kernel-test.elf");
    /// <summary>The image users boot (`./sing run`, the ISO): the kernel without test code, from Kernel/Kernel.</summary>
    public static string ProductionKernelImage => Path.Combine(RepoRoot, "artifacts", "kernel", "kernel.elf");
    public static string LogDirectory => Path.Combine(RepoRoot, "artifacts", "test-logs");

    /// <summary>A system manifest holding the grant lines, written once per distinct set under artifacts/test-manifests.</summary>
    public static string GrantManifest(IReadOnlyList<string> grants)
    {
        string text = string.Concat(grants.Select(g => "grant " + g + "\n"));
        string hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(text)))[..16];
        string dir = Path.Combine(RepoRoot, "artifacts", "test-manifests", "grants-" + hash);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "system.manifest");
        if (!File.Exists(path) || File.ReadAllText(path) != text) File.WriteAllText(path, text);
        return path;
    }

    public static BootResult Boot(BootOptions options)
    {
        string image = options.Iso ?? (options.Production ? ProductionKernelImage : KernelImage);
        if (!File.Exists(image))
            throw new InvalidOperationException($"no image at {image}: build it first with ./sing build");

        var psi = new ProcessStartInfo("qemu-system-x86_64")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "-m", options.MemoryMiB.ToString(), "-display", "none", "-no-reboot",
                                     "-serial", "stdio", "-monitor", "none",
                                     "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04" })
            psi.ArgumentList.Add(a);
        if (options.Iso != null)
        {
            psi.ArgumentList.Add("-cdrom"); psi.ArgumentList.Add(options.Iso);
        }
        else
        {
            psi.ArgumentList.Add("-kernel"); psi.ArgumentList.Add(image);
            psi.ArgumentList.Add("-append"); psi.ArgumentList.Add(options.CommandLine);
            var modules = new List<string>();
            foreach (string sip in options.Sips)
            {
                int space = sip.IndexOf(' ');
                string name = space < 0 ? sip : sip[..space];
                string path = Path.Combine(RepoRoot, "artifacts", "sips", name + ".elf");
                if (!File.Exists(path)) throw new InvalidOperationException($"no SIP image at {path}: build it first with ./sing build");
                modules.Add(space < 0 ? path : path + sip[space..]);
            }
            modules.AddRange(options.Modules);
            if (options.Grants.Count > 0) modules.Add(GrantManifest(options.Grants));
            // QEMU separates modules with commas; an argument cannot contain one.
            if (modules.Any(m => m.Contains(','))) throw new ArgumentException("module arguments cannot contain ','");
            if (modules.Count > 0) { psi.ArgumentList.Add("-initrd"); psi.ArgumentList.Add(string.Join(",", modules)); }
        }

        var serial = new StringBuilder();
        var stderr = new StringBuilder();
        var stopSeen = new ManualResetEventSlim(false);
        var watch = Stopwatch.StartNew();
        using var qemu = new Process { StartInfo = psi };
        qemu.Start();
        var outPump = Task.Run(() => Pump(qemu.StandardOutput, qemu.StandardInput, serial, options, stopSeen));
        var errPump = Task.Run(() => { lock (stderr) stderr.Append(qemu.StandardError.ReadToEnd()); });

        var exited = Task.Run(() => qemu.WaitForExit());
        int which = WaitHandle.WaitAny(new[] { ((IAsyncResult)exited).AsyncWaitHandle, stopSeen.WaitHandle },
                                       options.Timeout);
        QemuExit exit;
        int? status = null;
        if (which == 0)
        {
            qemu.WaitForExit();
            status = qemu.ExitCode;
            exit = QemuExitCodes.Decode(qemu.ExitCode);
        }
        else
        {
            exit = which == 1 ? QemuExit.StoppedByHarness : QemuExit.Timeout;
            try { qemu.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            qemu.WaitForExit();
        }
        outPump.Wait(TimeSpan.FromSeconds(5));
        errPump.Wait(TimeSpan.FromSeconds(5));
        string log;
        lock (serial) log = serial.ToString().Replace("\r\n", "\n");
        string err;
        lock (stderr) err = stderr.ToString();
        return new BootResult(exit, status, log, err, watch.Elapsed);
    }

    private static void Pump(StreamReader reader, StreamWriter input, StringBuilder sink, BootOptions options, ManualResetEventSlim stopSeen)
    {
        var buffer = new char[4096];
        int n, step = 0, searchFrom = 0;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            lock (sink)
            {
                sink.Append(buffer, 0, n);
                string text = sink.ToString();
                while (step < options.Script.Count)
                {
                    int end = options.Script[step].FindEnd(text, searchFrom);
                    if (end < 0) break;
                    searchFrom = end;
                    try { input.Write(options.Script[step].Send(text)); input.Flush(); } catch (IOException) { }
                    step++;
                }
                if (options.StopWhen != null && !stopSeen.IsSet && text.IndexOf(options.StopWhen, searchFrom, StringComparison.Ordinal) >= 0
                    && step == options.Script.Count) stopSeen.Set();
            }
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Singularity.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Singularity.sln) above " + AppContext.BaseDirectory);
    }
}
