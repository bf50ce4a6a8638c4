using Singularity.FaultCampaign;
using Singularity.FaultCampaign.Mutation;
using Singularity.FaultCampaign.Trials;

namespace Singularity.Tests.FaultCampaign;

/// <summary>Workloads described in a file, as a user writes one for a SIP of their own.</summary>
public class WorkloadFileTests
{
    private static string Write(string text)
    {
        string dir = Path.Combine(Path.GetTempPath(), "workload-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string f = Path.Combine(dir, "echo.workload");
        File.WriteAllText(f, text);
        return f;
    }

    private static string EchoFile() => Write(
        "# the echo service under its workload, as a user would describe it\n" +
        "name echo-file\n" +
        "target echoservice\n" +
        $"assembly {SchemaTests.EchoService}\n" +
        "module supervisor\n" +
        $"module {Path.Combine(TestPaths.Repo, "artifacts", "sips", "echoworkload.elf")}\n" +
        "grant echoservice name=/service/echo-typed\n" +
        "start supervisor max=3 backoff=20 {restart} -- echoservice {mutant}\n" +
        "start echoworkload rounds=10   # the driver\n");

    [Fact]
    public void AWorkloadFileIsReadAsWritten()
    {
        var w = FileWorkload.Read(EchoFile());
        Assert.Equal("echo-file", w.Name);
        Assert.Equal("echoservice", w.Target);
        Assert.Equal("echoworkload", w.Driver);
        Assert.Equal(SchemaTests.EchoService, w.TargetAssemblyPath("/unused"));
        Assert.Equal(new[] { "start supervisor max=3 backoff=20 restart-args=- -- echoservice mutant=12", "start echoworkload rounds=10" }, w.StartCommands(12, persistent: false));
        Assert.Equal("start supervisor max=3 backoff=20 -- echoservice mutant=3", w.StartCommands(3, persistent: true)[0]);
        Assert.Equal(new[] { "echoservice name=/service/echo-typed" }, w.Grants);
    }

    [Theory]
    [InlineData("target x\nassembly a.dll\nstart x {mutant}\n", "no 'name' line")]
    [InlineData("name n\nassembly a.dll\nstart x {mutant}\n", "no 'target' line")]
    [InlineData("name n\ntarget x\nstart x {mutant}\n", "no 'assembly' line")]
    [InlineData("name n\ntarget x\nassembly a.dll\nstart x\n", "no start line passes {mutant} to x")]
    [InlineData("name n\ntarget x\nassembly a.dll\nbogus 1\n", ":4: unknown directive 'bogus'")]
    [InlineData("name n\ntarget x y\n", ":2: 'x y' is not a module name")]
    [InlineData("name\n", ":1: 'name' needs a value")]
    [InlineData("name n\ntarget x\nassembly a.dll\nstart x a,b {mutant}\n", ":4: a start line is")]
    public void AWorkloadFileWithAProblemNamesTheLine(string text, string message)
    {
        var e = Assert.Throws<UsageException>(() => FileWorkload.Read(Write(text)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ACampaignRunsFromAWorkloadFile()
    {
        string outDir = Path.Combine(TestPaths.Repo, "artifacts", "campaign", "test-echo-file");
        if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
        var settings = new CampaignSettings(FileWorkload.Read(EchoFile()), 8, Jobs: 1, Seed: 3, BatchSize: 8, outDir, TestPaths.Repo, new HashSet<FaultType>());
        var log = new StringWriter();
        var result = new CampaignRunner(settings, log).Run();
        CampaignReport.Write(result, settings);
        Assert.Equal(8, result.Trials.Count);
        Assert.All(result.References, t => Assert.Equal(TrialOutcome.NoEffect, t.Outcome));
        Assert.NotEmpty(result.References);
        Assert.DoesNotContain(result.Trials, t => t.Outcome == TrialOutcome.IsolationFailure);
        Assert.Contains("--workload-file", File.ReadAllText(Path.Combine(outDir, "report.md")) + settings.Workload.CommandLine);
    }
}
