namespace Singularity.Tests.Analyzer;

/// <summary>
/// Builds copies of Tests/AnalyzerSample with `dotnet build`, the way a SIP project consumes the
/// analyzer (ProjectReference with OutputItemType="Analyzer" ReferenceOutputAssembly="false").
/// </summary>
[Collection(DotnetBuildCollection.Name)]
public class EndToEndTests
{
    static string CopySample(string extraFile, string extraSource)
    {
        var root = Repository.Root;
        var dest = Path.Combine(Path.GetTempPath(), "sing-analyzer-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dest);
        foreach (var f in Directory.GetFiles(Path.Combine(root, "Tests", "AnalyzerSample")))
            File.Copy(f, Path.Combine(dest, Path.GetFileName(f)));
        if (extraFile != null) File.WriteAllText(Path.Combine(dest, extraFile), extraSource);
        return dest;
    }

    static (int ExitCode, string Output) Build(string dir) => Repository.DotnetBuild(dir,
        "AnalyzerProject=" + Path.Combine(Repository.Root, "Compiler", "Analyzers", "Analyzers.csproj"),
        "StandInProject=" + Path.Combine(Repository.Root, "Tests", "AnalyzerSample.StandIn", "AnalyzerSample.StandIn.csproj"));

    [Fact]
    public void CleanSampleBuilds()
    {
        var dir = CopySample(null, null);
        try
        {
            var (code, output) = Build(dir);
            Assert.True(code == 0, output);
            Assert.DoesNotContain("SING0", output);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ViolationFailsTheBuildWithTheRuleAndLine()
    {
        var dir = CopySample("Violation.cs", """
            using Singularity.Channels;
            public static class Violation
            {
                public static void Leak()
                {
                    var b = ExBuffer.Allocate(16);
                    b.WriteInt64(0, 42);
                }
            }
            """);
        try
        {
            var (code, output) = Build(dir);
            Assert.NotEqual(0, code);
            Assert.Contains("Violation.cs(8,", output);
            Assert.Contains("error SING0003", output);
            Assert.Contains("'b' leaks", output);
        }
        finally { Directory.Delete(dir, true); }
    }
}
