using System.Diagnostics;
using Singularity.Verifier;

namespace Singularity.FaultCampaign.Mutation;

/// <summary>
/// Turns a verified schema assembly into a bootable SIP image the way the build does
/// (SIPs/SipImage.targets): ilc with the runtime and core library, ld with Boot/sip.ld and the
/// runtime's assembled objects, and the manifest added as the .sipmanifest section. The repository
/// (or SDK) supplies the linker script and the runtime objects; the reference folder (the SIP's
/// build output) supplies Singularity.Runtime, Singularity.Corlib and the SIP libraries.
/// </summary>
public sealed class SipImageBuilder
{
    public const string IlcVersion = "10.0.14";
    private readonly string _repo;

    public SipImageBuilder(string repo) { _repo = repo; }

    public static string Ilc => Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        "runtime.linux-x64.microsoft.dotnet.ilcompiler", IlcVersion, "tools", "ilc");

    /// <summary>Builds OUT/NAME.elf from the schema assembly; throws with the tool's output when a step fails.</summary>
    public string Build(string schemaAssembly, string referenceDir, string sipName, Manifest manifest, string outDir)
    {
        if (!File.Exists(Ilc)) throw new InvalidOperationException($"ilc not found at {Ilc} (build the system once: ./sing build)");
        string runtimeObjects = Path.Combine(_repo, "artifacts", "obj", "sipruntime");
        var objects = Directory.Exists(runtimeObjects) ? Directory.GetFiles(runtimeObjects, "*.o").OrderBy(f => f, StringComparer.Ordinal).ToArray() : Array.Empty<string>();
        if (objects.Length == 0) throw new InvalidOperationException($"no runtime objects in {runtimeObjects} (build the system once: ./sing build)");
        Directory.CreateDirectory(outDir);
        string obj = Path.Combine(outDir, sipName + ".o");
        string elf = Path.Combine(outDir, sipName + ".elf");
        string corlib = Path.Combine(referenceDir, "Singularity.Corlib.dll");
        string runtime = Path.Combine(referenceDir, "Singularity.Runtime.dll");
        var libraries = Directory.GetFiles(referenceDir, "*.dll")
            .Where(f => f != corlib && f != runtime && !string.Equals(Path.GetFileName(f), Path.GetFileName(schemaAssembly), StringComparison.Ordinal))
            .OrderBy(f => f, StringComparer.Ordinal);
        var ilc = new List<string> { schemaAssembly, runtime, "-r", corlib };
        foreach (var l in libraries) { ilc.Add("-r"); ilc.Add(l); }
        ilc.AddRange(new[] { "-o", obj, "--systemmodule:Singularity.Corlib", "--targetos:linux", "--targetarch:x64", "-O" });
        Run(Ilc, ilc);
        var ld = new List<string> { "-m", "elf_x86_64", "--eh-frame-hdr", "-pie", "-static", "--no-dynamic-linker", "-z", "max-page-size=4096",
            "-z", "noexecstack", "--no-relax", "-T", Path.Combine(_repo, "Boot", "sip.ld"), "-o", elf };
        ld.AddRange(objects);
        ld.Add(obj);
        Run("ld", ld);
        string manifestPath = Path.Combine(outDir, sipName + ".manifest.json");
        File.WriteAllText(manifestPath, manifest.ToJson());
        Run("objcopy", new[] { "--add-section", ".sipmanifest=" + manifestPath, "--set-section-flags", ".sipmanifest=readonly", elf });
        File.Delete(obj);
        return elf;
    }

    private static void Run(string tool, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {tool}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(tool)} failed (exit {p.ExitCode}):\n{stdout.Result}{stderr}");
    }
}
