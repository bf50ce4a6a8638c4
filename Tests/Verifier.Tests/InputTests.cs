using System.Diagnostics;
using Singularity.Verifier;

namespace Singularity.Tests.Verifier;

/// <summary>Unusable input gives exit 2 with a clear message, never a crash.</summary>
public class InputTests
{
    private static readonly Lazy<string> s_sample = new(() => Support.Compile("Sample", """
        using Singularity;
        public sealed class Node { public Node Next; public int V; }
        public static class Program
        {
            public static int Main()
            {
                Node head = null;
                for (int i = 0; i < 10; i++) head = new Node { Next = head, V = i };
                int s = 0;
                try { for (var n = head; n != null; n = n.Next) s += n.V; } catch (System.Exception) { s = -1; } finally { s++; }
                Debug.WriteLine("sum " + s.ToString());
                return s > 0 ? 0 : 1;
            }
        }
        """, exe: true));

    [Fact]
    public void SampleVerifies() => Assert.True(Support.Verify(s_sample.Value).Verified);

    [Fact]
    public void TextFileIsNotAnAssembly()
    {
        var f = Path.Combine(Support.NewDir(), "notes.dll");
        File.WriteAllText(f, "this is not a PE file");
        var r = Support.Verify(f);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("SV0001", r.Violations.Single().Code);
    }

    [Fact]
    public void MissingFile()
    {
        var r = AssemblyVerifier.VerifyFile(Path.Combine(Support.NewDir(), "nope.dll"));
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("SV0004", r.Violations.Single().Code);
    }

    [Fact]
    public void UnresolvedCoreLibrary()
    {
        var dir = Support.NewDir();
        var f = Path.Combine(dir, "Sample.dll");
        File.Copy(s_sample.Value, f);
        var r = AssemblyVerifier.VerifyFile(f, new VerifierOptions());   // no -r: Singularity.Corlib cannot be found
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("SV0002", r.Violations.Single().Code);
        Assert.Contains("Singularity.Corlib", r.Violations.Single().Message);
    }

    [Fact]
    public void TruncatedFilesAreUnusable()
    {
        var bytes = File.ReadAllBytes(s_sample.Value);
        var dir = Support.NewDir();
        for (int len = 0; len < bytes.Length; len += Math.Max(1, bytes.Length / 97))
        {
            var f = Path.Combine(dir, "Sample.dll");
            File.WriteAllBytes(f, bytes.AsSpan(0, len).ToArray());
            var r = Support.Verify(f);
            Assert.True(r.ExitCode == 2, $"truncated to {len} of {bytes.Length} bytes: exit {r.ExitCode}\n{string.Join("\n", r.Violations)}");
        }
    }

    [Fact]
    public void BitFlipsNeverCrash()
    {
        var original = File.ReadAllBytes(s_sample.Value);
        var dir = Support.NewDir();
        var rng = new Random(20061);   // fixed seed: the same flips every run
        var counts = new int[3];
        for (int round = 0; round < 1500; round++)
        {
            var bytes = (byte[])original.Clone();
            int flips = 1 + rng.Next(4);
            for (int k = 0; k < flips; k++) bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
            var f = Path.Combine(dir, "Sample.dll");
            File.WriteAllBytes(f, bytes);
            VerificationResult r = null;
            var ex = Record.Exception(() => r = Support.Verify(f));
            Assert.True(ex == null, $"round {round}: {ex}");
            Assert.InRange(r.ExitCode, 0, 2);
            Assert.All(r.Violations, v => Assert.Matches(@"^SV0\d{3}$", v.Code));
            counts[r.ExitCode]++;
        }
        // Most flips land in metadata or code the verifier reads: many must be refused.
        Assert.True(counts[1] + counts[2] > 100, $"verified {counts[0]}, rejected {counts[1]}, unusable {counts[2]}");
    }

    private static (int code, string stdout, string stderr) RunCli(params string[] args)
    {
        var cli = Path.Combine(Support.Root, "Verifier", "Verifier.Cli", "bin", "Release", "net10.0", "sing-verify.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(cli);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi);
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "sing-verify did not finish");
        return (p.ExitCode, o.Result, e.Result);
    }

    [Fact]
    public void CliExitCodes()
    {
        var ok = RunCli("-r", Support.RuntimeDir, s_sample.Value);
        Assert.True(ok.code == 0, ok.stdout + ok.stderr);

        var bad = Support.Compile("Bad", "public static class P { private static int s_n; public static void F() { s_n++; } }");
        var rejected = RunCli("-r", Support.RuntimeDir, bad);
        Assert.Equal(1, rejected.code);
        Assert.Matches(@"(?m)^Bad\.dll: SV0106: P::s_n: ", rejected.stdout);

        var garbage = Path.Combine(Support.NewDir(), "garbage.dll");
        File.WriteAllBytes(garbage, new byte[] { 0x4d, 0x5a, 1, 2, 3 });
        var unusable = RunCli(garbage);
        Assert.Equal(2, unusable.code);
        Assert.Contains("SV0001", unusable.stdout);

        Assert.Equal(2, RunCli().code);                       // no file: usage
        Assert.Equal(2, RunCli("--bogus", garbage).code);     // unknown option
    }

    [Fact]
    public void CliWritesTheManifest()
    {
        var dll = Support.Compile("Echo", "[assembly: Singularity.SipManifest(\"echo\", 3)] public static class P { }");
        var path = Path.Combine(Support.NewDir(), "echo.manifest.json");
        var r = RunCli("-q", "-r", Support.RuntimeDir, "--manifest", path, dll);
        Assert.True(r.code == 0, r.stdout + r.stderr);
        var json = File.ReadAllText(path);
        Assert.Contains("\"name\": \"echo\"", json);
        Assert.Contains("\"heapQuotaMiB\": 3", json);
    }
}
