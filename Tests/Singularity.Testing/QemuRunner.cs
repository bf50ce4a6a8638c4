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
    /// <summary>Stop QEMU as soon as the serial log contains this text after the script's last step ("": as soon as the script is done).</summary>
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
    /// <summary>
    /// The text of a system manifest to boot (`service` and `grant` lines, docs/security.md,
    /// docs/channels.md): it is booted as the `system.manifest` module, with <see cref="Grants"/>
    /// added as grant lines. The supervisor and each service's image are added as boot modules
    /// when not already there, and unless the command line says otherwise (`sips=`) only the
    /// images of <see cref="Sips"/> and <see cref="Modules"/> start directly: the services start
    /// under the supervisor (an image that a `service` line names starts only under it, wherever it was given).
    /// </summary>
    public string? SystemManifest { get; init; }
    /// <summary>
    /// QEMU's machine type (-machine), e.g. <see cref="QemuOptions.Q35"/>; null boots QEMU's default
    /// `pc` machine, which every other test uses.
    /// </summary>
    public string? Machine { get; init; }
    /// <summary>Extra QEMU devices (-device), in this order: an IOMMU before the devices it confines.</summary>
    public IReadOnlyList<string> Devices { get; init; } = Array.Empty<string>();
    /// <summary>More QEMU arguments, after the devices (e.g. <see cref="SecondSerial.Arguments"/>: a second -serial is COM2).</summary>
    public IReadOnlyList<string> QemuArguments { get; init; } = Array.Empty<string>();
    /// <summary>Console input: each step waits until the serial log shows its text (after the previous step), then types its input.</summary>
    public IReadOnlyList<ScriptStep> Script { get; init; } = Array.Empty<ScriptStep>();
    /// <summary>
    /// Serve QEMU's machine protocol on a Unix socket and connect to it (<see cref="QemuMonitor"/>);
    /// implied by any step with <see cref="ScriptStep.MonitorAction"/>.
    /// </summary>
    public bool Monitor { get; init; }
}

/// <summary>QEMU machine and device options for the tests that need more than the default `pc` machine.</summary>
public static class QemuOptions
{
    /// <summary>The q35 machine (ICH9), which can have an Intel VT-d IOMMU.</summary>
    public const string Q35 = "q35";
    /// <summary>The Intel VT-d IOMMU on q35; it must come before the devices it confines.</summary>
    public const string IntelIommu = "intel-iommu";
    /// <summary>An Intel 82540EM NIC (8086:100e), a simple device that does DMA (its descriptor rings).</summary>
    public const string E1000 = "e1000";
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

    /// <summary>
    /// When set, the step acts on QEMU's monitor instead of typing: given the monitor and the
    /// serial log so far, it runs commands (keys, memory reads, screendumps) and returns text for
    /// <see cref="BootResult.MonitorLog"/>. <see cref="Send"/> is not typed for such a step.
    /// </summary>
    public Func<QemuMonitor, string, string>? MonitorAction { get; init; }

    /// <summary>A step that waits for <paramref name="waitFor"/>, then runs one human-monitor command (its output goes to the monitor log).</summary>
    public static ScriptStep OnMonitor(string waitFor, string command) =>
        OnMonitor(waitFor, (monitor, _) => "(qemu) " + command + "\n" + monitor.Command(command));

    /// <summary>A step that waits for <paramref name="waitFor"/>, then acts on the monitor (see <see cref="MonitorAction"/>).</summary>
    public static ScriptStep OnMonitor(string waitFor, Func<QemuMonitor, string, string> action) =>
        new(waitFor, _ => "") { MonitorAction = action };

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
public sealed record BootResult(QemuExit Exit, int? Status, string Serial, string QemuStderr, TimeSpan Elapsed)
{
    /// <summary>What the script's monitor steps returned, in order ("" when none ran).</summary>
    public string MonitorLog { get; init; } = "";
}

/// <summary>
/// Boots the kernel under QEMU (TCG, no KVM needed) with serial on stdout, isa-debug-exit for
/// the verdict and -no-reboot; enforces its own timeout and kills QEMU when it expires.
/// </summary>
public static class QemuRunner
{
    private static readonly Lazy<string?> s_repoRoot = new(() => FindRepoRoot());
    private static readonly Lazy<string> s_system = new(FindSystem);

    /// <summary>The name of the environment variable that says where the system is (an SDK folder from `./sing sdk`).</summary>
    public const string SdkVariable = "SINGULARITY_SDK";

    /// <summary>The repository this harness was built in (inside the tree only; outside it, use <see cref="SystemRoot"/>).</summary>
    public static string RepoRoot => s_repoRoot.Value
        ?? throw new InvalidOperationException("RepoRoot is known only inside the source tree; outside it the system is at QemuRunner.SystemRoot (" + SdkVariable + " or the SingularitySdk property)");

    /// <summary>
    /// The folder holding the system to boot: kernel/ (kernel.elf, kernel-test.elf) and sips/
    /// (NAME.elf). Found, in this order, through the environment variable SINGULARITY_SDK, the
    /// SingularitySdk property a test project of the SDK records in its assembly
    /// ([AssemblyMetadata("SingularitySdk", ...)], the SDK's Test.props), or the tree's artifacts/
    /// above the running tests.
    /// </summary>
    public static string SystemRoot => s_system.Value;

    /// <summary>Whether the system comes from an SDK folder rather than the tree's artifacts/.</summary>
    public static bool FromSdk => !string.Equals(SystemRoot, s_repoRoot.Value == null ? null : Path.Combine(s_repoRoot.Value, "artifacts"), StringComparison.Ordinal);

    /// <summary>The image the test suites boot: the kernel with its test module (`test=`, `inject`), from Kernel/KernelTests.</summary>
    public static string KernelImage => Path.Combine(SystemRoot, "kernel", "kernel-test.elf");
    /// <summary>The image users boot (`./sing run`, the ISO): the kernel without test code, from Kernel/Kernel.</summary>
    public static string ProductionKernelImage => Path.Combine(SystemRoot, "kernel", "kernel.elf");
    /// <summary>Where the harness writes (kept serial logs, generated manifests): the tree's artifacts/, or next to the tests outside it.</summary>
    public static string WorkDirectory => FromSdk ? Path.Combine(AppContext.BaseDirectory, "singularity") : SystemRoot;
    public static string LogDirectory => Path.Combine(WorkDirectory, "test-logs");

    /// <summary>The image of SIP <paramref name="name"/>: a path to an .elf, or a name from the system's sips/.</summary>
    public static string SipImage(string name) =>
        name.EndsWith(".elf", StringComparison.Ordinal) || name.Contains('/') ? Path.GetFullPath(name) : Path.Combine(SystemRoot, "sips", name + ".elf");

    /// <summary>
    /// The image of the SIP project <paramref name="project"/> (its folder name) that a test
    /// project of the SDK names with HostedSource (recorded as [AssemblyMetadata("SingularityProject", FOLDER)]
    /// by the SDK's Test.targets): the newest bin/*/net10.0/*.elf in that folder.
    /// </summary>
    public static string ProjectImage(string project)
    {
        var folders = AppDomain.CurrentDomain.GetAssemblies()
            .SelectMany(a => a.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false).Cast<System.Reflection.AssemblyMetadataAttribute>())
            .Where(m => m.Key == "SingularityProject" && m.Value != null).Select(m => m.Value!.TrimEnd('/')).ToList();
        string? folder = folders.FirstOrDefault(f => Path.GetFileName(f) == project)
            ?? throw new InvalidOperationException($"no project '{project}' among this test project's HostedSource folders ({string.Join(", ", folders)})");
        var images = Directory.Exists(Path.Combine(folder, "bin"))
            ? Directory.GetFiles(Path.Combine(folder, "bin"), "*.elf", SearchOption.AllDirectories).OrderByDescending(File.GetLastWriteTimeUtc).ToList()
            : new List<string>();
        if (images.Count == 0) throw new InvalidOperationException($"the project in {folder} has no image yet: build it with dotnet build");
        return images[0];
    }

    /// <summary>A system manifest holding the grant lines, written once per distinct set under artifacts/test-manifests.</summary>
    public static string GrantManifest(IReadOnlyList<string> grants) => ManifestFile("", grants);

    /// <summary>The file `system.manifest` holding <paramref name="text"/> and then the grant lines, written once per distinct content.</summary>
    public static string ManifestFile(string text, IReadOnlyList<string> grants)
    {
        if (text.Length > 0 && !text.EndsWith('\n')) text += "\n";
        text += string.Concat(grants.Select(g => "grant " + g + "\n"));
        string hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(text)))[..16];
        string dir = Path.Combine(WorkDirectory, "test-manifests", (text.StartsWith("grant ", StringComparison.Ordinal) || text.Length == 0 ? "grants-" : "system-") + hash);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "system.manifest");
        if (!File.Exists(path) || File.ReadAllText(path) != text) File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The modules a system manifest's `service` lines start (first word after `service`).</summary>
    public static IReadOnlyList<string> ManifestServices(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("service ", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(w => w.Length > 1).Select(w => w[1]).Distinct().ToList();

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
        if (options.Machine != null) { psi.ArgumentList.Add("-machine"); psi.ArgumentList.Add(options.Machine); }
        string? qmpPath = null;
        if (options.Monitor || options.Script.Any(s => s.MonitorAction != null))
        {
            qmpPath = QemuMonitor.NewSocketPath();
            psi.ArgumentList.Add("-qmp"); psi.ArgumentList.Add($"unix:{qmpPath},server=on,wait=off");
        }
        foreach (string device in options.Devices) { psi.ArgumentList.Add("-device"); psi.ArgumentList.Add(device); }
        foreach (string argument in options.QemuArguments) psi.ArgumentList.Add(argument);
        if (options.Iso != null)
        {
            psi.ArgumentList.Add("-cdrom"); psi.ArgumentList.Add(options.Iso);
        }
        else
        {
            psi.ArgumentList.Add("-kernel"); psi.ArgumentList.Add(image);
            psi.ArgumentList.Add("-append"); psi.ArgumentList.Add(options.CommandLine);
            var modules = new List<string>();
            var direct = new List<string>();
            foreach (string sip in options.Sips)
            {
                int space = sip.IndexOf(' ');
                string name = space < 0 ? sip : sip[..space];
                string path = SipImage(name);
                if (!File.Exists(path)) throw new InvalidOperationException($"no SIP image at {path}: build it first (./sing build in the tree, dotnet build for a project of the SDK)");
                modules.Add(space < 0 ? path : path + sip[space..]);
                direct.Add(Path.GetFileNameWithoutExtension(path));
            }
            modules.AddRange(options.Modules);
            direct.AddRange(options.Modules.Select(m => Path.GetFileNameWithoutExtension(m.Split(' ')[0])));
            if (options.SystemManifest != null)
            {
                // The supervisor and the services come from the system's images unless given already.
                var have = new HashSet<string>(modules.Select(m => Path.GetFileNameWithoutExtension(m.Split(' ')[0])));
                foreach (string module in ManifestServices(options.SystemManifest).Prepend("supervisor"))
                {
                    if (have.Contains(module)) continue;
                    string path = SipImage(module);
                    if (!File.Exists(path)) throw new InvalidOperationException($"the system manifest names '{module}', but there is no image at {path}");
                    modules.Add(path);
                    have.Add(module);
                }
                modules.Add(ManifestFile(options.SystemManifest, options.Grants));
                if (!options.CommandLine.Split(' ').Any(w => w.StartsWith("sips=", StringComparison.Ordinal)))
                {
                    // Only the SIPs given directly start as boot modules ("system" names the manifest itself when there are none).
                    int last = psi.ArgumentList.Count - 1;
                    var services = ManifestServices(options.SystemManifest).Append("supervisor").ToHashSet();
                    var start = direct.Where(d => !services.Contains(d)).Distinct().ToList();
                    psi.ArgumentList[last] = (options.CommandLine + " sips=" + (start.Count > 0 ? string.Join(",", start) : "system")).Trim();
                }
            }
            else if (options.Grants.Count > 0) modules.Add(GrantManifest(options.Grants));
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
        var monitorLog = new StringBuilder();
        QemuMonitor? monitor = null;
        try
        {
            if (qmpPath != null) monitor = QemuMonitor.Connect(qmpPath, TimeSpan.FromSeconds(20));
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            try { qemu.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new InvalidOperationException($"could not reach QEMU's monitor at {qmpPath}: {e.Message}", e);
        }
        var outPump = Task.Run(() => Pump(qemu.StandardOutput, qemu.StandardInput, serial, options, stopSeen, monitor, monitorLog));
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
        monitor?.Dispose();
        if (qmpPath != null) File.Delete(qmpPath);
        string monitorText;
        lock (monitorLog) monitorText = monitorLog.ToString();
        return new BootResult(exit, status, log, err, watch.Elapsed) { MonitorLog = monitorText };
    }

    private static void Pump(StreamReader reader, StreamWriter input, StringBuilder sink, BootOptions options, ManualResetEventSlim stopSeen,
                             QemuMonitor? monitor, StringBuilder monitorLog)
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
                    var action = options.Script[step].MonitorAction;
                    if (action != null && monitor != null)
                    {
                        // A machine that stops meanwhile ends the boot; the log says what was reached.
                        string answer;
                        try { answer = action(monitor, text); }
                        catch (IOException e) { answer = "monitor gone: " + e.Message; }
                        lock (monitorLog) monitorLog.Append(answer).Append('\n');
                    }
                    else
                        try { input.Write(options.Script[step].Send(text)); input.Flush(); } catch (IOException) { }
                    step++;
                }
                if (options.StopWhen != null && !stopSeen.IsSet && text.IndexOf(options.StopWhen, searchFrom, StringComparison.Ordinal) >= 0
                    && step == options.Script.Count) stopSeen.Set();
            }
        }
    }

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Singularity.sln"))) return dir.FullName;
        return null;
    }

    private static string FindSystem()
    {
        string? sdk = Environment.GetEnvironmentVariable(SdkVariable);
        string from = "the environment variable " + SdkVariable;
        if (string.IsNullOrEmpty(sdk))
        {
            sdk = AppDomain.CurrentDomain.GetAssemblies()
                .SelectMany(a => a.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false).Cast<System.Reflection.AssemblyMetadataAttribute>())
                .FirstOrDefault(m => m.Key == "SingularitySdk" && !string.IsNullOrEmpty(m.Value))?.Value;
            from = "the SingularitySdk property";
        }
        if (!string.IsNullOrEmpty(sdk))
        {
            string root = Path.GetFullPath(sdk);
            if (!File.Exists(Path.Combine(root, "kernel", "kernel.elf")))
                throw new InvalidOperationException($"{from} names {root}, which holds no system (kernel/kernel.elf): make one with ./sing sdk");
            return root;
        }
        string? repo = s_repoRoot.Value;
        if (repo != null) return Path.Combine(repo, "artifacts");
        throw new InvalidOperationException("cannot find the system to boot: set the environment variable " + SdkVariable +
            " (or the SingularitySdk property of the test project) to the folder ./sing sdk made, or run the tests inside the source tree (none above " + AppContext.BaseDirectory + ")");
    }
}
