using Singularity.FaultCampaign.Mutation;
using Singularity.Testing;

namespace Singularity.FaultCampaign.Trials;

/// <summary>What a campaign run is asked to do.</summary>
public sealed record CampaignSettings(Workload Workload, int Count, int Jobs, int Seed, int BatchSize, string OutDir, string Repo, IReadOnlySet<FaultType> Types, bool Persistent = false, bool Libraries = true);

/// <summary>A finished campaign: every trial, the reference trials (no mutant) and where the files are.</summary>
public sealed record CampaignResult(IReadOnlyList<Trial> Trials, IReadOnlyList<Trial> References, IReadOnlyList<Mutant> Mutants, string OutDir);

/// <summary>
/// Runs a campaign: draws the trials' mutants (a seeded sample of the target's catalog; with more
/// trials than mutants, the catalog again in another order), admits each mutant through the
/// verifier (refused: stopped at install time), builds the admitted ones into one image, then plays
/// the trials in batches on several QEMUs at once. Each batch starts with a reference trial (no
/// mutant) that must show no effect, so a broken workload or system is told apart from a fault.
/// Trials a batch did not reach are played again in a later batch (at most twice).
/// </summary>
public sealed class CampaignRunner
{
    private readonly CampaignSettings _s;
    private readonly TextWriter _log;

    public CampaignRunner(CampaignSettings settings, TextWriter log) { _s = settings; _log = log; }

    public string TargetAssemblyPath => _s.Workload.TargetAssemblyPath(_s.Repo);

    public static List<Mutant> Draw(IReadOnlyList<Mutant> catalog, int count, int seed)
    {
        var rng = new Random(seed);
        var list = new List<Mutant>();
        while (list.Count < count && catalog.Count > 0)
            list.AddRange(catalog.OrderBy(_ => rng.Next()).Take(count - list.Count));
        return list;
    }

    public CampaignResult Run()
    {
        if (!File.Exists(TargetAssemblyPath)) throw new UsageException($"no assembly at {TargetAssemblyPath}: build it first (./sing build, or dotnet build for a project of yours)");
        Directory.CreateDirectory(_s.OutDir);
        var target = Target();
        var catalog = target.Catalog().Where(m => _s.Types.Count == 0 || _s.Types.Contains(m.Type)).ToList();
        if (catalog.Count == 0) throw new UsageException($"{_s.Workload.TargetAssembly} has no mutants of the asked types");
        var drawn = Draw(catalog, _s.Count, _s.Seed);
        var distinct = drawn.DistinctBy(m => m.Id).OrderBy(m => m.Id).ToList();
        _log.WriteLine($"campaign: {_s.Workload.Name} on {_s.Workload.Target}: {_s.Count} trials of {distinct.Count} distinct mutants (catalog {catalog.Count}: {catalog.Count(m => m.Library == null)} in {target.Sip.FileName}"
                       + string.Concat(target.Reach.Select(r => $", {catalog.Count(m => m.Library == r.Library)} in {r.Library} ({r.Methods} methods reached)")) + $"), seed {_s.Seed}");
        var schema = SchemaBuilder.Build(target, distinct, _s.OutDir, _s.Workload.Target, _log);
        var admitted = schema.Admissions.Where(a => a.Admitted).Select(a => a.Mutant.Id).ToHashSet();
        if (admitted.Count > 0 && !schema.SchemaVerified) throw new InvalidOperationException("the schema assembly was refused by the verifier: " + schema.SchemaViolations);
        string image = admitted.Count > 0 ? new SipImageBuilder(_s.Repo).Build(schema.SchemaPath, schema.LibraryDir, _s.Workload.Target, schema.Manifest, Path.Combine(_s.OutDir, "image")) : null;

        var trials = drawn.Select((m, i) => new Trial(i + 1, m.Id)).ToList();
        var results = new List<Trial>();
        foreach (var t in trials.Where(t => !admitted.Contains(t.Mutant)))
        {
            var a = schema.Admissions.First(x => x.Mutant.Id == t.Mutant);
            results.Add(t with { Outcome = TrialOutcome.StoppedAtInstall, Reason = string.Join(",", a.Codes) + ": " + a.FirstViolation });
        }
        var references = new List<Trial>();
        var pending = trials.Where(t => admitted.Contains(t.Mutant)).ToList();
        if (pending.Count > 0) RunBatches(image, pending, results, references);
        return new CampaignResult(results.OrderBy(t => t.Number).ToList(), references, distinct, _s.OutDir);
    }

    /// <summary>One mutant again (in a boot of its own after a reference trial); its serial log is kept whatever the outcome.</summary>
    public CampaignResult Replay(int id)
    {
        if (!File.Exists(TargetAssemblyPath)) throw new UsageException($"no assembly at {TargetAssemblyPath}: build it first (./sing build, or dotnet build for a project of yours)");
        Directory.CreateDirectory(_s.OutDir);
        var target = Target();
        var catalog = target.Catalog();
        var mutant = catalog.FirstOrDefault(m => m.Id == id) ?? throw new UsageException($"no mutant {id}: {_s.Workload.TargetAssembly} has {catalog.Count}");
        _log.WriteLine($"campaign: replaying {mutant}");
        var schema = SchemaBuilder.Build(target, new[] { mutant }, _s.OutDir, _s.Workload.Target, _log);
        var results = new List<Trial>();
        var references = new List<Trial>();
        if (!schema.Admissions[0].Admitted)
            results.Add(new Trial(1, id) { Outcome = TrialOutcome.StoppedAtInstall, Reason = string.Join(",", schema.Admissions[0].Codes) + ": " + schema.Admissions[0].FirstViolation });
        else
        {
            string image = new SipImageBuilder(_s.Repo).Build(schema.SchemaPath, schema.LibraryDir, _s.Workload.Target, schema.Manifest, Path.Combine(_s.OutDir, "image"));
            RunBatches(image, new List<Trial> { new(1, id) }, results, references, keepAll: true);
        }
        return new CampaignResult(results, references, new[] { mutant }, _s.OutDir);
    }

    /// <summary>The SIP's assembly and, unless --no-libraries, the SIP libraries it reaches (mutated too).</summary>
    private CampaignTarget Target() => new(new AssemblyFile(TargetAssemblyPath, Array.Empty<string>()), _s.Libraries);

    private void RunBatches(string image, List<Trial> pending, List<Trial> results, List<Trial> references, bool keepAll = false)
    {
        string logs = Path.Combine(_s.OutDir, "logs");
        Directory.CreateDirectory(logs);
        // Written once before the parallel boots, which then find it (QemuRunner writes it only when missing).
        QemuRunner.GrantManifest(_s.Workload.Grants);
        var batch = new TrialBatch(_s.Workload, image, _s.Persistent);
        int batchNumber = 0;
        var perTrial = TimeSpan.FromSeconds(120);
        for (int attempt = 1; attempt <= 3 && pending.Count > 0; attempt++)
        {
            var chunks = pending.Chunk(_s.BatchSize).Select(c => (Number: Interlocked.Increment(ref batchNumber), Trials: c.Prepend(new Trial(0, 0)).ToList())).ToList();
            var notRun = new List<Trial>();
            int finished = 0;
            Parallel.ForEach(chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _s.Jobs) }, chunk =>
            {
                var r = batch.Run(chunk.Trials, perTrial);
                string path = Path.Combine(logs, $"batch-{chunk.Number}.log");
                File.WriteAllText(path, r.Serial);
                lock (results)
                {
                    if (r.WarmUpFailure != null)
                    {
                        references.Add(new Trial(0, 0) { Outcome = TrialOutcome.IsolationFailure, Reason = $"warm-up trial (no mutant): {r.WarmUpFailure} (batch {chunk.Number})", Log = path });
                        _log.WriteLine($"campaign: batch {chunk.Number}: the warm-up trial without a mutant failed ({r.WarmUpFailure}); log {path}");
                    }
                    foreach (var t in r.Done)
                    {
                        var kept = t with { Log = keepAll || t.Outcome is TrialOutcome.IsolationFailure or TrialOutcome.DataLost ? path : null };
                        if (t.Mutant == 0) references.Add(kept with { Reason = kept.Reason + $" (batch {chunk.Number})" });
                        else results.Add(kept);
                    }
                    notRun.AddRange(r.NotRun.Where(t => t.Mutant != 0));
                    finished += r.Done.Count(t => t.Mutant != 0);
                    _log.WriteLine($"campaign: batch {chunk.Number}: {r.Done.Count(t => t.Mutant != 0)} trials ({string.Join(", ", r.Done.Where(t => t.Mutant != 0).GroupBy(t => t.Outcome).Select(g => $"{g.Count()} {g.Key.Name()}"))}), {r.NotRun.Count} not reached; QEMU {r.Exit}");
                }
            });
            pending = notRun;
        }
        foreach (var t in pending)
            results.Add(t with { Outcome = TrialOutcome.IsolationFailure, Reason = "not reached in three boots: the trials before it kept ending the boot" });
    }
}
