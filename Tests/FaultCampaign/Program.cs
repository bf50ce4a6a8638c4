using Singularity.FaultCampaign.Mutation;
using Singularity.FaultCampaign.Trials;

namespace Singularity.FaultCampaign;

/// <summary>
/// The fault-injection campaign tool (docs/reliability.md, `./sing campaign`):
///   [run] --sip NAME | --workload W | --workload-file FILE  [--count N] [--jobs J] [--seed S] [--batch B] [--type T]... [--persistent] [--no-libraries] [--out DIR]
///         a campaign: N trials on QEMU, classified, with the report under artifacts/campaign/;
///         faults are transient (the supervisor restarts the target without the mutant) unless --persistent;
///         the SIP libraries the target reaches are mutated too unless --no-libraries
///   --replay ID [--workload W] [--seed S]     one mutant again, its serial log kept
/// and its mutation stages on any SIP assembly:
///   list  ASSEMBLY [-r DIR]... [--type T]... [--libraries]     every mutant of a SIP assembly (and of the libraries it reaches)
///   build ASSEMBLY --out DIR [-r DIR]... [--count N] [--seed S] [--type T]... [--libraries]
///         samples mutants, admits each through the verifier, writes the admitted ones into one
///         schema assembly (OUT/NAME.dll, verified as a whole) and OUT/mutants.tsv.
/// Exit 0 on success, 2 on a bad command line or unusable input (a clear message on stderr).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try { return Run(args); }
        catch (UsageException e) { Console.Error.WriteLine("campaign: " + e.Message); return 2; }
    }

    private static int Run(string[] args)
    {
        if (args.Length == 0 || (args[0] is not ("list" or "build")))
            return Campaign(CampaignOptions.Parse(args.Length > 0 && args[0] == "run" ? args.Skip(1).ToArray() : args));
        var o = CampaignOptions.Parse(args.Skip(1).ToArray());
        if (o.Assembly == null) throw new UsageException("no assembly given");
        if (!File.Exists(o.Assembly)) throw new UsageException($"no such assembly: {o.Assembly}");
        var file = new AssemblyFile(o.Assembly, o.ReferenceDirs);
        CampaignTarget target;
        List<Mutant> catalog;
        try
        {
            target = new CampaignTarget(file, o.Libraries ?? false);
            catalog = target.Catalog().Where(m => o.Types.Count == 0 || o.Types.Contains(m.Type)).ToList();
        }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException or IOException)
        { throw new UsageException($"{o.Assembly} is not a readable .NET assembly: {e.Message}"); }
        switch (args[0])
        {
            case "list":
                foreach (var m in catalog) Console.WriteLine(m);
                Console.WriteLine(string.Join(", ", catalog.GroupBy(m => m.Type).Select(g => $"{g.Key.Name()} {g.Count()}")) + $"; {catalog.Count} mutants");
                return 0;
            case "build":
                if (o.Out == null) throw new UsageException("build needs --out DIR");
                string name = o.Name ?? Path.GetFileNameWithoutExtension(file.Path).ToLowerInvariant();
                var result = SchemaBuilder.Build(target, Sample(catalog, o.Count, o.Seed), o.Out, name, Console.Out);
                if (!result.SchemaVerified) return 1;
                if (o.Image)
                {
                    string elf = new SipImageBuilder(o.Repo ?? RepoRoot()).Build(result.SchemaPath, result.LibraryDir, name, result.Manifest, o.Out);
                    Console.WriteLine($"campaign: image {elf} (start it as '{elf} mutant=N')");
                }
                return 0;
            default:
                throw new UsageException($"unknown command '{args[0]}' (list or build)");
        }
    }

    private static int Campaign(CampaignOptions o)
    {
        if (o.Assembly != null) throw new UsageException($"unexpected argument '{o.Assembly}' (a campaign takes --sip or --workload; list/build take an assembly)");
        Trials.Workload w;
        if (o.WorkloadFile != null)
        {
            if (o.Workload != null) throw new UsageException("give --workload or --workload-file, not both");
            w = Trials.FileWorkload.Read(o.WorkloadFile);
            if (o.Sip != null && o.Sip != w.Target) throw new UsageException($"workload file {o.WorkloadFile} exercises {w.Target}, not {o.Sip}");
        }
        else if (o.Workload != null)
        {
            w = Trials.Workload.Find(o.Workload) ?? throw new UsageException($"unknown workload '{o.Workload}' (one of {string.Join(", ", Trials.Workload.All.Select(x => x.Name))})");
            if (o.Sip != null && o.Sip != w.Target) throw new UsageException($"workload '{w.Name}' exercises {w.Target}, not {o.Sip}");
        }
        else if (o.Sip != null)
            w = Trials.Workload.All.FirstOrDefault(x => x.Target == o.Sip) ?? throw new UsageException($"no workload for SIP '{o.Sip}' (workloads: {string.Join(", ", Trials.Workload.All.Select(x => $"{x.Name} on {x.Target}"))})");
        else throw new UsageException("usage: campaign --sip NAME | --workload W [--count N] [--jobs J] [--seed S] [--replay ID] (see docs/reliability.md)");
        string repo = o.Repo ?? RepoRoot();
        int count = o.Count == 0 ? 100 : o.Count;
        string outDir = o.Out ?? Path.Combine(repo, "artifacts", "campaign", $"{w.Name}-seed{o.Seed}" + (o.Replay > 0 ? $"-replay{o.Replay}" : ""));
        var settings = new Trials.CampaignSettings(w, count, o.Jobs, o.Seed, o.Batch, outDir, repo, o.Types, o.Persistent, o.Libraries ?? true);
        var runner = new Trials.CampaignRunner(settings, Console.Out);
        var result = o.Replay > 0 ? runner.Replay(o.Replay) : runner.Run();
        string summary = Trials.CampaignReport.Write(result, settings);
        Console.WriteLine("campaign: " + summary);
        Console.WriteLine($"campaign: report {Path.Combine(outDir, "report.md")}, trials {Path.Combine(outDir, "trials.tsv")}");
        var badReferences = result.References.Where(t => t.Outcome != Trials.TrialOutcome.NoEffect).ToList();
        foreach (var t in badReferences) Console.WriteLine($"campaign: REFERENCE TRIAL (no mutant) came out as {t.Outcome.Name()}: {t.Reason}");
        foreach (var t in result.Trials.Where(t => t.Outcome == Trials.TrialOutcome.IsolationFailure))
            Console.WriteLine($"campaign: ISOLATION FAILURE trial {t.Number}, mutant {t.Mutant}: {t.Reason} (log {t.Log})");
        return badReferences.Count > 0 || result.Trials.Any(t => t.Outcome == Trials.TrialOutcome.IsolationFailure) ? 1 : 0;
    }

    /// <summary>The repository above the working folder (the one holding Singularity.sln).</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Singularity.sln"))) return d.FullName;
        throw new UsageException("cannot find the repository (no Singularity.sln above the working folder): give --repo DIR");
    }

    /// <summary>A seeded sample without repetition, in id order.</summary>
    public static List<Mutant> Sample(IReadOnlyList<Mutant> catalog, int count, int seed)
    {
        if (count <= 0 || count >= catalog.Count) return catalog.ToList();
        var rng = new Random(seed);
        return catalog.OrderBy(_ => rng.Next()).Take(count).OrderBy(m => m.Id).ToList();
    }
}

public sealed class UsageException(string message) : Exception(message);

public sealed class CampaignOptions
{
    public string Assembly;
    public string Out;
    public string Name;
    public string Repo;
    public bool Image;
    public bool Persistent;
    /// <summary>Mutate the SIP libraries too: a campaign does unless --no-libraries; list and build only with --libraries.</summary>
    public bool? Libraries;
    public int Count;
    public int Seed = 1;
    public int Jobs = 2;
    public int Batch = 10;
    public int Replay;
    public string Sip;
    public string Workload;
    public string WorkloadFile;
    public readonly List<string> ReferenceDirs = new();
    public readonly HashSet<FaultType> Types = new();

    public static CampaignOptions Parse(string[] args)
    {
        var o = new CampaignOptions();
        for (int k = 0; k < args.Length; k++)
        {
            string Value() => k + 1 < args.Length ? args[++k] : throw new UsageException($"{args[k]} needs a value");
            int Number(string what)
            {
                string v = Value();
                return int.TryParse(v, out int n) && n >= 0 ? n : throw new UsageException($"{what} must be a whole number >= 0, not '{v}'");
            }
            switch (args[k])
            {
                case "-r": o.ReferenceDirs.Add(Value()); break;
                case "--out": o.Out = Value(); break;
                case "--name": o.Name = Value(); break;
                case "--repo": o.Repo = Value(); break;
                case "--image": o.Image = true; break;
                case "--persistent": o.Persistent = true; break;
                case "--libraries": o.Libraries = true; break;
                case "--no-libraries": o.Libraries = false; break;
                case "--count": o.Count = Number("--count"); break;
                case "--seed": o.Seed = Number("--seed"); break;
                case "--jobs": o.Jobs = Math.Max(1, Number("--jobs")); break;
                case "--batch": o.Batch = Math.Max(1, Number("--batch")); break;
                case "--replay": o.Replay = Number("--replay"); if (o.Replay == 0) throw new UsageException("--replay takes a mutant id (1 or more)"); break;
                case "--sip": o.Sip = Value(); break;
                case "--workload": o.Workload = Value(); break;
                case "--workload-file": o.WorkloadFile = Value(); break;
                case "--type":
                    string t = Value();
                    if (!FaultTypes.TryParse(t, out var type))
                        throw new UsageException($"unknown fault type '{t}' (one of {string.Join(", ", Enum.GetValues<FaultType>().Select(x => x.Name()))})");
                    o.Types.Add(type);
                    break;
                default:
                    if (args[k].StartsWith('-')) throw new UsageException($"unknown option {args[k]}");
                    if (o.Assembly != null) throw new UsageException($"one assembly only ('{o.Assembly}' and '{args[k]}')");
                    o.Assembly = args[k];
                    break;
            }
        }
        return o;
    }
}
