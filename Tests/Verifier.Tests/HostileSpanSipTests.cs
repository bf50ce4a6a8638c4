using System.Diagnostics;
using System.Reflection;

namespace Singularity.Tests.Verifier;

/// <summary>
/// A hostile SIP built from IL that stores a span in a heap object (HostileSips/SpanInHeap.il) is
/// refused by the verifier step of the SIP build, run as SipImage.targets runs it: exit 1, the
/// SV0115 line, and no manifest, so the build stops before ilc and no image exists to load. (The
/// kernel loads only images the build made; the verifier is where a SIP is admitted.)
/// </summary>
public class HostileSpanSipTests
{
    private static readonly string Ilasm = typeof(ConformanceTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "Ilasm").Value;

    private static string Assemble(string il)
    {
        var dir = Support.NewDir();
        var output = Path.Combine(dir, Path.GetFileNameWithoutExtension(il) + ".dll");
        var psi = new ProcessStartInfo(Ilasm) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-exe", "-quiet", "-nologo", "-output=" + output, il }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0 && File.Exists(output), $"ilasm failed on {il} (exit {p.ExitCode}):\n{stdout.Result}\n{stderr}");
        return output;
    }

    [Fact]
    public void ASipThatStoresASpanInAHeapFieldIsRefusedByItsBuild()
    {
        var dll = Assemble(Path.Combine(Support.Root, "Tests", "Verifier.Tests", "HostileSips", "SpanInHeap.il"));
        var manifest = Path.Combine(Path.GetDirectoryName(dll), "spaninheap.manifest.json");
        var cli = Path.Combine(Support.Root, "Verifier", "Verifier.Cli", "bin", "Release", "net10.0", "sing-verify.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { cli, "-q", "--name", "spaninheap", "--manifest", manifest, "-r", Support.Corlib, "-r", Support.Runtime, dll }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi);
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "sing-verify did not finish");
        string output = o.Result + e.Result;
        Assert.True(p.ExitCode == 1, $"expected the SIP build's verifier to refuse the SIP (exit 1), got {p.ExitCode}:\n{output}");
        Assert.Matches(@"SpanInHeap\.dll: SV0115: Holder::Kept: field of ref struct type System\.Span`1<System\.Int32>", output);
        Assert.False(File.Exists(manifest), "a refused SIP must get no manifest (the build goes no further)");
    }
}
