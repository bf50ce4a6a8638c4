namespace Singularity.Verifier.Fuzz;

/// <summary>Where the fuzzer finds what the build produced (seeds, references, tools) and puts what it finds.</summary>
public static class Paths
{
    public static readonly string Root = FindRoot();
    public static string RuntimeDir => Path.Combine(Root, "Kernel", "SipRuntime", "bin", "Release", "net10.0");
    public static string Corlib => Path.Combine(RuntimeDir, "Singularity.Corlib.dll");
    public static string Runtime => Path.Combine(RuntimeDir, "Singularity.Runtime.dll");
    public static string ContractsDir => Path.Combine(Root, "Contracts", "bin", "Release", "net10.0");
    public static string Cli => Path.Combine(Root, "Verifier", "Verifier.Cli", "bin", "Release", "net10.0", "sing-verify.dll");
    public static string Self => Path.Combine(Root, "Tests", "Verifier.Fuzz", "bin", "Release", "net10.0", "Verifier.Fuzz.dll");
    public static string Artifacts => Path.Combine(Root, "artifacts");
    public static string DefaultOut => Path.Combine(Artifacts, "fuzz");
    public static string SipRuntimeObjects => Path.Combine(Artifacts, "obj", "sipruntime");
    public static string SipLinkerScript => Path.Combine(Root, "Boot", "sip.ld");
    public static string Kernel => Path.Combine(Artifacts, "kernel", "kernel.elf");

    /// <summary>The build output of each SIP library (Libraries/NAME/bin/Release/net10.0).</summary>
    public static IEnumerable<string> LibraryDirs =>
        Directory.Exists(Path.Combine(Root, "Libraries"))
            ? Directory.GetFiles(Path.Combine(Root, "Libraries"), "*.csproj", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal)
                .Select(p => Path.Combine(Path.GetDirectoryName(p), "bin", "Release", "net10.0"))
            : Enumerable.Empty<string>();

    /// <summary>The directories the verifier resolves references from (as the SIP build passes them with -r).</summary>
    public static IReadOnlyList<string> ReferenceDirs => new[] { RuntimeDir, ContractsDir }.Concat(LibraryDirs).ToArray();

    /// <summary>ilc from the NuGet package the SIP build uses (SIPs/Sip.props, IlcVersion).</summary>
    public static string Ilc
    {
        get
        {
            string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
            if (string.IsNullOrEmpty(packages)) packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            return Path.Combine(packages, "runtime.linux-x64.microsoft.dotnet.ilcompiler", "10.0.14", "tools", "ilc");
        }
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Singularity.sln"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository root (Singularity.sln) above " + AppContext.BaseDirectory + " or the current directory");
    }
}
