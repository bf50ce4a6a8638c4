using System.Diagnostics;

namespace Singularity.Tests.Analyzer;

/// <summary>
/// Builds copies of Tests/AnalyzerSample with `dotnet build`, the way a SIP project consumes the
/// analyzer (ProjectReference with OutputItemType="Analyzer" ReferenceOutputAssembly="false").
/// </summary>
[Collection(DotnetBuildCollection.Name)]
public class EndToEndTests
{
    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Singularity.sln"))) return dir.FullName;
        throw new InvalidOperationException("Singularity.sln not found above " + AppContext.BaseDirectory);
    }

    static string CopySample(string extraFile, string extraSource)
    {
        var root = RepoRoot();
        var dest = Path.Combine(Path.GetTempPath(), "sing-analyzer-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dest);
        foreach (var f in Directory.GetFiles(Path.Combine(root, "Tests", "AnalyzerSample")))
            File.Copy(f, Path.Combine(dest, Path.GetFileName(f)));
        if (extraFile != null) File.WriteAllText(Path.Combine(dest, extraFile), extraSource);
        return dest;
    }

    static (int ExitCode, string Output) Build(string dir)
    {
        var analyzer = Path.Combine(RepoRoot(), "Compiler", "Analyzers", "Analyzers.csproj");
        var standIn = Path.Combine(RepoRoot(), "Tests", "AnalyzerSample.StandIn", "AnalyzerSample.StandIn.csproj");
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "build", "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-p:AnalyzerProject=" + analyzer, "-p:StandInProject=" + standIn })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(600_000)) { p.Kill(true); throw new TimeoutException("dotnet build took over 10 minutes"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

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
