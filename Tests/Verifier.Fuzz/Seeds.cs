namespace Singularity.Verifier.Fuzz;

/// <summary>One assembly the byte-level mutators start from.</summary>
public sealed record Seed(string Name, string Path, byte[] Bytes, MetadataLayout Layout);

/// <summary>
/// The seeds: every SIP IL assembly the build produced (SIPs/*/*, Tests/TestSips/*), the contracts
/// library, the SIP libraries (Libraries/*), and the trusted runtime and core library (large, full of the unsafe code SIPs may not
/// have: pointer types, InternalCall, localloc), sorted by name so a seed number means the same
/// input on every machine with the same build.
/// </summary>
public static class Seeds
{
    public static List<Seed> Load()
    {
        var files = new List<string>();
        foreach (var dir in new[] { Path.Combine(Paths.Root, "SIPs"), Path.Combine(Paths.Root, "Tests", "TestSips") })
        {
            if (!Directory.Exists(dir)) continue;
            // SIPs/ has rooms (Drivers, Services, Apps): a project is a folder with NAME/NAME.csproj.
            foreach (var csproj in Directory.GetFiles(dir, "*.csproj", SearchOption.AllDirectories))
            {
                string project = System.IO.Path.GetDirectoryName(csproj);
                string name = System.IO.Path.GetFileNameWithoutExtension(csproj);
                string dll = System.IO.Path.Combine(project, "bin", "Release", "net10.0", name + ".dll");
                if (File.Exists(dll)) files.Add(dll);
            }
        }
        files.Add(System.IO.Path.Combine(Paths.ContractsDir, "Singularity.Contracts.dll"));
        // Each SIP library's own assembly (its bin directory also holds copies of what it references).
        foreach (var csproj in Directory.Exists(System.IO.Path.Combine(Paths.Root, "Libraries")) ? Directory.GetFiles(System.IO.Path.Combine(Paths.Root, "Libraries"), "*.csproj", SearchOption.AllDirectories) : Array.Empty<string>())
        {
            var assemblyName = System.Xml.Linq.XDocument.Load(csproj).Descendants("AssemblyName").Select(e => e.Value).FirstOrDefault() ?? System.IO.Path.GetFileNameWithoutExtension(csproj);
            files.Add(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(csproj), "bin", "Release", "net10.0", assemblyName + ".dll"));
        }
        files.Add(Paths.Runtime);
        files.Add(Paths.Corlib);
        var seeds = new List<Seed>();
        foreach (var f in files.Where(File.Exists).OrderBy(f => System.IO.Path.GetFileName(f), StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(f);
            var layout = MetadataLayout.Read(bytes) ?? throw new InvalidOperationException($"seed {f} is not an assembly System.Reflection.Metadata can read");
            seeds.Add(new Seed(System.IO.Path.GetFileNameWithoutExtension(f), f, bytes, layout));
        }
        if (seeds.Count < 5) throw new InvalidOperationException($"only {seeds.Count} seed assemblies found under {Paths.Root}: run ./sing build first");
        return seeds;
    }
}
