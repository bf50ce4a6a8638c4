using Singularity.FaultCampaign.Mutation;
using Singularity.FaultCampaign.Trials;

namespace Singularity.Tests.FaultCampaign;

/// <summary>
/// The bounded sample of the campaign `./sing test` runs (the long runs are `./sing campaign`,
/// figures in docs/reliability.md): 50 trials on the echo service, booted in QEMU.
/// </summary>
public class CampaignTests
{
    [Fact]
    public void FiftyTrialsOnTheEchoServiceAreAllContained()
    {
        string repo = TestPaths.Repo;
        string outDir = Path.Combine(repo, "artifacts", "campaign", "test-echo");
        if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
        var settings = new CampaignSettings(new EchoWorkload(), 50, Jobs: 2, Seed: 7, BatchSize: 13, outDir, repo, new HashSet<FaultType>());
        var log = new StringWriter();
        var result = new CampaignRunner(settings, log).Run();
        string summary = CampaignReport.Write(result, settings);
        string context = summary + "\n" + log + "\nreport: " + Path.Combine(outDir, "report.md");

        Assert.Equal(50, result.Trials.Count);
        // Every boot's reference trial (no mutant) worked: the workload and the system are sound.
        Assert.NotEmpty(result.References);
        Assert.All(result.References, t => Assert.True(t.Outcome == TrialOutcome.NoEffect, $"reference trial: {t.Outcome.Name()} {t.Reason}\n{context}"));
        // The bar: no isolation failure.
        var isolation = result.Trials.Where(t => t.Outcome == TrialOutcome.IsolationFailure).ToList();
        Assert.True(isolation.Count == 0, "isolation failures:\n" + string.Join("\n", isolation.Select(t => $"mutant {t.Mutant}: {t.Reason} ({t.Log})")) + "\n" + context);
        // The campaign is not vacuous: the verifier stopped some mutants, and some that ran made the target fail and be restarted.
        Assert.Contains(result.Trials, t => t.Outcome == TrialOutcome.StoppedAtInstall);
        Assert.Contains(result.Trials, t => t.Outcome == TrialOutcome.Recovered);
        Assert.True(File.Exists(Path.Combine(outDir, "trials.tsv")) && File.Exists(Path.Combine(outDir, "outcomes.svg")));
    }
}
