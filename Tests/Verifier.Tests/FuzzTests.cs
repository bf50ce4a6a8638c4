using Singularity.Verifier.Fuzz;

namespace Singularity.Tests.Verifier;

/// <summary>
/// A bounded run of the verifier's fuzzer (Tests/Verifier.Fuzz, `./sing fuzz verifier`): 2,000
/// inputs of a fixed seed, every mutator, the CLI on a sample, and one batch of the generated
/// methods the verifier admits (with the regression programs) compiled by ilc and run in a booted
/// SIP. Any oracle failure fails the test with its reproducer under artifacts/fuzz/test/.
/// </summary>
[Collection(nameof(FuzzTests))]
public class FuzzTests
{
    [Fact]
    public void TwoThousandInputsBreakNoOracle()
    {
        var log = new List<string>();
        var report = Fuzzer.Run(new FuzzOptions
        {
            Count = 2000,
            Seed = 20061,
            Jobs = 2,
            CliEvery = 400,
            BatchSize = 150,
            MaxBatches = 1,
            OutDir = Path.Combine(Support.Root, "artifacts", "fuzz", "test"),
            Log = s => { lock (log) log.Add(s); },
        });
        string summary = report.Summary();
        Assert.True(report.Failures.Count == 0, summary);
        Assert.Equal(2000, report.Total);
        // Every mutator ran, and the byte-level ones produced all three verdicts.
        foreach (var m in Inputs.Mutators) Assert.True(report.Inputs[m] > 50, $"{m}: only {report.Inputs[m]} inputs\n{summary}");
        foreach (var m in new[] { "bitflip", "metadata", "il" })
            for (int exit = 0; exit <= 2; exit++) Assert.True(report.Verdicts[m][exit] > 0, $"{m} never gave exit {exit}\n{summary}");
        // Valid generated programs are admitted (the oracle fails a rejected one); most wrong ones are refused.
        Assert.True(report.Verdicts["grammar"][0] == report.Inputs["grammar"], summary);
        Assert.True(report.Verdicts["grammar-wrong"][1] > report.Inputs["grammar-wrong"] / 2, summary);
        Assert.True(report.CliRuns >= 4, summary);
        // One batch of 150 ran in QEMU, the regression programs first, every method to its end.
        Assert.Equal(1, report.Batches);
        Assert.True(report.MethodsRun == 150, summary);
        Assert.True(report.Caught >= Singularity.Verifier.Fuzz.Grammar.Regressions.Throwing, summary);
    }
}

/// <summary>The fuzz run keeps both cores busy (two workers, then ilc and QEMU): it runs alone, after the other tests, so it does not slow the timed benchmark.</summary>
[CollectionDefinition(nameof(FuzzTests), DisableParallelization = true)]
public class FuzzTestsCollection { }
