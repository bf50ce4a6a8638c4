using System.Diagnostics;

namespace Singularity.Tests.Analyzer;

/// <summary>The checkout the tests run in, and `dotnet build` of projects made from it.</summary>
public static class Repository
{
    public static readonly string Root = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Singularity.sln"))) return dir.FullName;
        throw new InvalidOperationException("Singularity.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Builds the project in <paramref name="dir"/> (Release, no shared build servers) with extra MSBuild properties.</summary>
    public static (int ExitCode, string Output) DotnetBuild(string dir, params string[] properties)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "build", "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false" })
            psi.ArgumentList.Add(a);
        foreach (var p in properties) psi.ArgumentList.Add("-p:" + p);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(600_000)) { process.Kill(true); throw new TimeoutException("dotnet build took over 10 minutes"); }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
