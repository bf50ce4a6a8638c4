using System.Diagnostics;
using System.Text;
using Singularity.Verifier;

namespace Singularity.Tests.Verifier;

/// <summary>
/// The verifier's speed bar: a ~1 MB SIP assembly with thousands of methods must verify in under a
/// second. Writes artifacts/verifier-bench.txt, which Tests/bench-verifier puts in docs/benchmarks.md.
/// In ./sing test it asserts only that the assembly verifies: timing is a benchmark's to judge
/// (Tests/bench-verifier sets SING_BENCH=1, and then the bars are asserted), never a pass/fail test's
/// on a shared machine.
/// </summary>
[Collection(nameof(VerifierBenchmark))]
public class VerifierBenchmark
{
    public static string Generate(int classes, int methodsPerClass)
    {
        var sb = new StringBuilder();
        sb.AppendLine("using Singularity;");
        sb.AppendLine("public abstract class Base { public abstract int Step(int x); public virtual string Name => \"base\"; }");
        sb.AppendLine("public struct Vec { public int X, Y; public int Dot(Vec o) => X * o.X + Y * o.Y; }");
        for (int c = 0; c < classes; c++)
        {
            sb.AppendLine($"public sealed class C{c} : Base");
            sb.AppendLine("{");
            sb.AppendLine("    private int _state; private readonly int[] _data = new int[16]; private C0 _peer;");
            sb.AppendLine($"    public override int Step(int x) => x + {c};");
            for (int m = 0; m < methodsPerClass; m++)
            {
                sb.AppendLine($$"""
                    public int M{{m}}(int a, string s, Base b)
                    {
                        int acc = a ^ {{m}};
                        var v = new Vec { X = a, Y = {{m}} };
                        for (int i = 0; i < _data.Length; i++)
                        {
                            acc += _data[i] * (i + {{m % 7}}) - (acc >> 3);
                            if ((acc & 1) == 0) _data[i] = acc; else _state ^= acc;
                        }
                        switch (acc % 5) { case 0: acc += b.Step(acc); break; case 1: acc -= s.Length; break; case 2: acc *= v.Dot(v); break; default: acc = -acc; break; }
                        try { acc += 100 / (a | 1); } catch (System.DivideByZeroException) { acc = 0; } finally { _state++; }
                        string t = s + acc.ToString();
                        if (t.Length > {{m % 13 + 3}}) acc += t[0];
                        object o = acc;
                        if (o is int k && _peer != null) acc += k + _peer.Step(k);
                        return acc + (b is C{{c}} ? 1 : 0);
                    }
                """);
            }
            sb.AppendLine("}");
        }
        sb.AppendLine("public static class Program { public static int Main() { Debug.WriteLine(new C0().M0(1, \"x\", new C0()).ToString()); return 0; } }");
        return sb.ToString();
    }

    [Fact]
    public void OneMegabyteAssemblyVerifies()
    {
        string dll = Support.Compile("Bench1MB", Generate(66, 40), exe: true);
        long size = new FileInfo(dll).Length;
        Assert.InRange(size, 900_000, 1_600_000);

        // In process: the first run includes JIT of the verifier; the best of five is the steady state.
        var sw = Stopwatch.StartNew();
        var first = Support.Verify(dll);
        double firstMs = sw.Elapsed.TotalMilliseconds;
        Assert.True(first.Verified, string.Join("\n", first.Violations.Take(20)));
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            sw.Restart();
            Support.Verify(dll);
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }

        // End to end: the sing-verify process, as the SIP build runs it (start-up, JIT, read, verify).
        var cli = Path.Combine(Support.Root, "Verifier", "Verifier.Cli", "bin", "Release", "net10.0", "sing-verify.dll");
        double cliMs = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { cli, "-q", "-r", Support.RuntimeDir, dll }) psi.ArgumentList.Add(a);
            sw.Restart();
            using var p = Process.Start(psi);
            p.StandardOutput.ReadToEnd(); p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
            cliMs = Math.Min(cliMs, sw.Elapsed.TotalMilliseconds);
        }

        int methods = 66 * 41 + 10;
        var line = $"bench verifier-1mb: {size} bytes, ~{methods} methods: in-process first {firstMs:F0} ms, steady {best:F0} ms; sing-verify process {cliMs:F0} ms";
        Directory.CreateDirectory(Path.Combine(Support.Root, "artifacts"));
        File.WriteAllText(Path.Combine(Support.Root, "artifacts", "verifier-bench.txt"),
            $"size={size}\nmethods={methods}\nfirst_ms={firstMs:F0}\nsteady_ms={best:F0}\ncli_ms={cliMs:F0}\n");
        Console.WriteLine(line);
        // The bar is the verifier itself; the process time (start-up and JIT on a shared machine) is reported, with a looser bound.
        if (Environment.GetEnvironmentVariable("SING_BENCH") == "1")
        {
            Assert.True(best < 1000, line);
            Assert.True(cliMs < 3000, line);
        }
    }
}

/// <summary>A timed test runs alone, after the parallel tests, so their load is not in its figure.</summary>
[CollectionDefinition(nameof(VerifierBenchmark), DisableParallelization = true)]
public class VerifierBenchmarkCollection { }
