using Singularity.Tools.TrustedSurface;

// trusted-surface [--root DIR] [--write | --check] [ASSEMBLY.dll ...]
//   --write  regenerate docs/trusted-surface.md (default)
//   --check  compare it with what the assemblies give; exit 1 when it is stale
// Either way it lists reachable members without a <safety> justification and unsafe methods
// without an <unsafe> review, and exits 1 if there are any.
string root = null;
bool check = false;
var assemblies = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--root" when i + 1 < args.Length: root = args[++i]; break;
        case "--write": check = false; break;
        case "--check": check = true; break;
        case "-h" or "--help":
            Console.WriteLine("usage: trusted-surface [--root DIR] [--write | --check] [ASSEMBLY.dll ...]");
            return 0;
        default:
            if (args[i].StartsWith('-')) { Console.Error.WriteLine($"trusted-surface: unknown option '{args[i]}' (see --help)"); return 2; }
            assemblies.Add(args[i]);
            break;
    }
}
root ??= FindRoot(Directory.GetCurrentDirectory());
if (root == null) { Console.Error.WriteLine("trusted-surface: not inside the repository (no Singularity.sln above the current directory); pass --root"); return 2; }
if (assemblies.Count == 0) assemblies.AddRange(Report.DefaultAssemblies(root));
foreach (var a in assemblies)
    if (!File.Exists(a)) { Console.Error.WriteLine($"trusted-surface: {a} does not exist (build first: ./sing build)"); return 2; }

Report report;
try { report = Report.Generate(assemblies); }
catch (FileNotFoundException e) { Console.Error.WriteLine("trusted-surface: " + e.Message); return 2; }

string doc = Path.Combine(root, Report.DocPath);
int rc = 0;
if (check)
{
    string committed = File.Exists(doc) ? File.ReadAllText(doc) : "";
    if (committed != report.Markdown)
    {
        Console.Error.WriteLine($"trusted-surface: {Report.DocPath} is stale; run ./sing surface and review the change");
        rc = 1;
    }
}
else
{
    File.WriteAllText(doc, report.Markdown);
    Console.WriteLine($"trusted-surface: wrote {Report.DocPath}: {report.Surface.Count} reachable types and members, {report.Unsafe.Count} unsafe methods");
}
foreach (var p in report.Problems) Console.Error.WriteLine("trusted-surface: " + p);
if (report.Problems.Count > 0) rc = 1;
return rc;

static string FindRoot(string dir)
{
    for (var d = new DirectoryInfo(dir); d != null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "Singularity.sln"))) return d.FullName;
    return null;
}
