using System.Text.RegularExpressions;

namespace Singularity.FaultCampaign.Trials;

/// <summary>
/// A workload described in a file, for a SIP the user wrote (docs/fault-isolation.md, "Campaigns
/// on your own SIPs"). One directive per line, `#` starts a comment:
/// <code>
/// name kv
/// target kvservice                                  # the module mutated (its image's name)
/// assembly KvService/bin/Release/net10.0/KvService.dll   # its built assembly (relative to this file)
/// module KvClient/bin/Release/net10.0/kvclient.elf # another image to boot (a path, or a name from the system's sips/)
/// grant kvservice name=/service/kv                 # a grant line of the system manifest
/// start supervisor max=3 backoff=20 exits=restart {restart} -- kvservice {mutant}
/// start kvclient rounds=20                          # the last start line runs the driver
/// </code>
/// <c>{mutant}</c> becomes <c>mutant=N</c> and <c>{restart}</c> <c>restart-args=-</c> (nothing with
/// --persistent). The driver must print the verdict line
/// <c>workload: rounds=N ok=K wrong=W rebinds=R gaveup=0|1</c> when it is done.
/// </summary>
public sealed class FileWorkload : Workload
{
    private readonly string _assemblyPath;
    private readonly List<string> _starts = new();
    private readonly List<string> _grants = new();
    private readonly List<string> _modules = new();

    public override string Name { get; }
    public override string Target { get; }
    public override string TargetProject => Path.GetDirectoryName(_assemblyPath);
    public override string TargetAssembly => Path.GetFileName(_assemblyPath);
    public override IReadOnlyList<string> Grants => _grants;
    public override IReadOnlyList<string> Modules => _modules;
    public override string Driver => _starts[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];

    public override string TargetAssemblyPath(string repo) => _assemblyPath;

    public override string CommandLine => "--workload-file " + _file;

    private string _file;

    private FileWorkload(string name, string target, string assembly) { Name = name; Target = target; _assemblyPath = assembly; }

    /// <summary>Reads a workload file; a problem is a <see cref="UsageException"/> naming the file and line.</summary>
    public static FileWorkload Read(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"no workload file {path}");
        string dir = Path.GetDirectoryName(Path.GetFullPath(path));
        string name = null, target = null, assembly = null;
        var starts = new List<string>();
        var grants = new List<string>();
        var modules = new List<string>();
        var lines = File.ReadAllLines(path);
        for (int n = 1; n <= lines.Length; n++)
        {
            string line = lines[n - 1];
            int hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            line = Regex.Replace(line.Trim(), @"\s+", " ");
            if (line.Length == 0) continue;
            int space = line.IndexOf(' ');
            string key = space < 0 ? line : line[..space];
            string rest = space < 0 ? "" : line[(space + 1)..];
            UsageException Bad(string why) => new($"{path}:{n}: {why}");
            if (rest.Length == 0) throw Bad($"'{key}' needs a value");
            switch (key)
            {
                case "name": name = rest; break;
                case "target":
                    if (!Regex.IsMatch(rest, @"^[A-Za-z0-9_.-]+$")) throw Bad($"'{rest}' is not a module name");
                    target = rest; break;
                case "assembly": assembly = Path.GetFullPath(Path.Combine(dir, rest)); break;
                case "module": modules.Add(rest.EndsWith(".elf", StringComparison.Ordinal) ? Path.GetFullPath(Path.Combine(dir, rest)) : rest); break;
                case "grant": grants.Add(rest); break;
                case "start":
                    if (rest.Split(' ').Length < 1 || rest.Contains(',')) throw Bad("a start line is 'start MODULE [ARGUMENTS]' without commas");
                    starts.Add(rest); break;
                default: throw Bad($"unknown directive '{key}' (name, target, assembly, module, grant, start)");
            }
        }
        string missing = name == null ? "name" : target == null ? "target" : assembly == null ? "assembly" : starts.Count < 1 ? "start" : null;
        if (missing != null) throw new UsageException($"{path}: no '{missing}' line");
        if (!starts.Any(s => s.Contains("{mutant}"))) throw new UsageException($"{path}: no start line passes {{mutant}} to {target}");
        var w = new FileWorkload(name, target, assembly) { _file = Path.GetFullPath(path) };
        w._starts.AddRange(starts);
        w._grants.AddRange(grants);
        w._modules.AddRange(modules);
        return w;
    }

    public override IReadOnlyList<string> StartCommands(int mutant, bool persistent) =>
        _starts.Select(s => "start " + Regex.Replace(s.Replace("{mutant}", "mutant=" + mutant).Replace("{restart}", persistent ? "" : "restart-args=-"), " +", " ").Trim()).ToList();
}
