using System.Text;
using Singularity.Verifier;

namespace Singularity.Tests.Verifier;

/// <summary>
/// Ownership through loops, joins and exception regions on the real channel runtime and generated
/// endpoints: loops that reassign tracked locals reach a fixed point, leave runs the finally
/// handlers it exits, and the verifier never runs for ever (SV0219 past its bound).
/// </summary>
public class FlowTests
{
    private static VerificationResult CompileAndVerify(string source, VerifierOptions options = null)
    {
        var dll = Support.Compile("Flow", source, channels: true);
        if (options == null) return Support.Verify(dll);
        options.ReferencePaths.Add(Support.RuntimeDir);
        options.ReferencePaths.Add(Path.GetDirectoryName(dll));
        return AssemblyVerifier.VerifyFile(dll, options);
    }

    /// <summary>Runs <paramref name="f"/> with a time bound: the verifier must never hang.</summary>
    private static T Within<T>(TimeSpan bound, Func<T> f)
    {
        var t = Task.Run(f);
        Assert.True(t.Wait(bound), $"the verifier did not finish within {bound.TotalSeconds} s");
        return t.Result;
    }

    public static readonly TheoryData<string> Accepted = new()
    {
        // A ref parameter's value is borrowed: reading it, and storing a new value for the caller, are fine.
        """
        using Singularity.Channels;
        public static class P
        {
            public static int Read(ref ExBuffer b) => b.Length;
            public static void Give(out ExBuffer b) { b = ExBuffer.Allocate(4); }
        }
        """,
        // A client loop: send the buffer, receive a new one into the same local, every iteration.
        """
        using Singularity.Channels;
        public static class P
        {
            public static void Client(Ping.Imp ep)
            {
                var b = ExBuffer.Allocate(8);
                for (int i = 0; i < 10; i++)
                {
                    ep.SendHi(i, b);
                    if (ep.RecvHo(out b) != ReceiveResult.Message) { if (!b.IsNull) b.Free(); return; }
                }
                b.Free();
            }
        }
        """,
        // A server loop: receive a buffer, send it back, until the channel closes.
        """
        using Singularity.Channels;
        public static class P
        {
            public static void Server([Claims] Ping.Exp ep)
            {
                while (true)
                {
                    if (ep.RecvHi(out int x, out var b) != ReceiveResult.Message) { if (!b.IsNull) b.Free(); break; }
                    if (x < 0) { b.Free(); continue; }
                    ep.SendHo(b);
                }
                ep.Close();
            }
        }
        """,
        // A switch receive: the Message struct hands its arguments over with TakeX.
        """
        using Singularity.Channels;
        public static class P
        {
            public static void Serve([Claims] Ping.Exp ep)
            {
                while (true)
                {
                    var tag = ep.Receive(out var m);
                    if (tag != Ping.Exp.Tag.Hi) break;
                    m.TakeHi(out int x, out var b);
                    ep.SendHo(b);
                }
                ep.Close();
            }
        }
        """,
        // try { Serve(x); } finally { y.Close(); }: the finally ends the ownership on the normal path.
        """
        using Singularity.Channels;
        public static class P
        {
            static void Serve(Ping.Exp e) { }
            public static void Run()
            {
                Ping.NewChannel(out var imp, out var exp);
                try { Serve(exp); }
                finally { exp.Close(); imp.Close(); }
            }
            public static int Early(bool c)
            {
                Ping.NewChannel(out var imp, out var exp);
                try { if (c) return 1; Serve(exp); }
                finally { exp.Close(); imp.Close(); }
                return 0;
            }
        }
        """,
        // try/finally, lock and using around code that releases a tracked value.
        """
        using Singularity.Channels;
        public sealed class Res : System.IDisposable { public void Dispose() { } }
        public static class P
        {
            public static void TryFinally() { var b = ExBuffer.Allocate(4); try { b[0] = 1; } finally { b.Free(); } }
            public static void Lock(object gate) { var b = ExBuffer.Allocate(4); lock (gate) { b[0] = 1; b.Free(); } }
            public static void LockAround(object gate) { var b = ExBuffer.Allocate(4); lock (gate) { b[0] = 1; } b.Free(); }
            public static void Using() { var b = ExBuffer.Allocate(4); using (var r = new Res()) { b.Free(); } }
            public static void UsingClose() { Ping.NewChannel(out var imp, out var exp); using (new Res()) { imp.Close(); } exp.Close(); }
            public static void Nested(object gate)
            {
                var b = ExBuffer.Allocate(4);
                try { lock (gate) { using (new Res()) { b[1] = 2; } } }
                finally { b.Free(); }
            }
        }
        """,
        // Swapping two buffers in a loop.
        """
        using Singularity.Channels;
        public static class P
        {
            public static void Swap(int n)
            {
                var a = ExBuffer.Allocate(1); var b = ExBuffer.Allocate(2);
                for (int i = 0; i < n; i++) { var t = a; a = b; b = t; a[0] = (byte)i; }
                a.Free(); b.Free();
            }
            public static void Rotate(int n)
            {
                var a = ExBuffer.Allocate(1); var b = ExBuffer.Allocate(2); var c = ExBuffer.Allocate(3);
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < i; j++) { var t = a; a = b; b = c; c = t; if ((j & 1) == 0) { c.Free(); c = ExBuffer.Allocate(j); } }
                a.Free(); b.Free(); c.Free();
            }
        }
        """,
        // The previous iteration's buffer kept in a temporary and freed on the next iteration.
        """
        using Singularity.Channels;
        public static class P
        {
            public static void Keep(int n)
            {
                ExBuffer prev = default;
                for (int i = 0; i < n; i++)
                {
                    var cur = ExBuffer.Allocate(i + 1);
                    if (!prev.IsNull) prev.Free();
                    prev = cur;
                }
                if (!prev.IsNull) prev.Free();
            }
            public static void Replace(int n)
            {
                var b = ExBuffer.Allocate(1);
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++) { var t = b; b = ExBuffer.Allocate(8); t.Free(); }
                b.Free();
            }
        }
        """,
        // A receive loop that keeps the last buffer it received.
        """
        using Singularity.Channels;
        public static class P
        {
            public static int Last([Claims] Ping.Exp ep)
            {
                ExBuffer last = default;
                while (true)
                {
                    if (ep.RecvHi(out int x, out var b) != ReceiveResult.Message) { if (!b.IsNull) b.Free(); break; }
                    if (!last.IsNull) last.Free();
                    last = b;
                }
                ep.Close();
                int n = last.IsNull ? 0 : last.Length;
                if (!last.IsNull) last.Free();
                return n;
            }
            public static void Echo([Claims] Ping.Exp ep)
            {
                ExBuffer keep = ExBuffer.Allocate(1);
                while (ep.Receive(out var m) == Ping.Exp.Tag.Hi)
                {
                    m.TakeHi(out int x, out var b);
                    var old = keep; keep = b; ep.SendHo(old);
                }
                keep.Free();
                ep.Close();
            }
        }
        """,
        // A message that is not taken, and a handle that is not wrapped, are simply dropped (no leak).
        """
        using Singularity.Channels;
        public static class P
        {
            public static void Ignore([Claims] Ping.Exp ep) { ep.Receive(out var m); ep.Close(); }
            public static void Startup() { if (EndpointHandle.TryTakeStartup("/x", out var h)) { var ep = Ping.Imp.FromHandle(h, null); ep.Close(); } }
            public static void Copy([Claims] Ping.Exp ep) { if (ep.Receive(out var m) == Ping.Exp.Tag.Hi) { var m2 = m; m2.TakeHi(out int x, out var b); b.Free(); } ep.Close(); }
        }
        """,
        // A using releases a buffer, an array and an endpoint (Dispose through IDisposable in the finally), issue 15.
        """
        using Singularity.Channels;
        public static class P
        {
            public static long Buffer() { using (var b = ExBuffer.Allocate(8)) { b.WriteInt64(0, 7); return b.ReadInt64(0); } }
            public static int Array() { using var a = ExArray<int>.Allocate(4); a[0] = 3; return a[0]; }
            public static void Endpoint([Claims] Ping.Exp ep) { using (ep) { } }
            public static void Direct() { var b = ExBuffer.Allocate(8); b.Dispose(); }
        }
        """,
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Verifies(string source)
    {
        var r = Within(TimeSpan.FromSeconds(20), () => CompileAndVerify(source));
        Assert.True(r.Verified, string.Join("\n", r.Violations));
    }

    public static readonly TheoryData<string, string> Rejected = new()
    {
        // A double Free through a finally on the normal path.
        { "SV0302", "using Singularity.Channels; public static class P { public static void F() { var b = ExBuffer.Allocate(4); try { b.Free(); } finally { b.Free(); } } }" },
        { "SV0302", "using Singularity.Channels; public static class P { public static void F() { var b = ExBuffer.Allocate(4); try { b[0] = 1; } finally { b.Free(); } b.Free(); } }" },
        // Use after the finally released it.
        { "SV0301", "using Singularity.Channels; public static class P { public static int F() { var b = ExBuffer.Allocate(4); try { b[0] = 1; } finally { b.Free(); } return b.Length; } }" },
        // A finally that releases only on some path leaks on the others.
        { "SV0303", "using Singularity.Channels; public static class P { public static void F(bool c) { var b = ExBuffer.Allocate(4); try { b[0] = 1; } finally { if (c) b.Free(); } } }" },
        // The loop's received buffer is dropped when the next one arrives.
        { "SV0303", "using Singularity.Channels; public static class P { public static void F(Ping.Imp ep) { ExBuffer b = default; for (int i = 0; i < 4; i++) { ep.SendHi(i, ExBuffer.Allocate(1)); ep.RecvHo(out b); } b.Free(); } }" },
        // A buffer sent in the loop and not replaced: sent twice.
        { "SV0302", "using Singularity.Channels; public static class P { public static void F(Ping.Imp ep) { var b = ExBuffer.Allocate(4); for (int i = 0; i < 4; i++) ep.SendHi(i, b); } }" },
        // A [Claims] endpoint passed to a generated send: the claimed buffer must not be used after.
        { "SV0301", "using Singularity.Channels; public static class P { public static int F(Ping.Imp ep) { var b = ExBuffer.Allocate(4); ep.SendHi(1, b); return b.Length; } }" },
        // The Message's buffer taken and dropped.
        { "SV0303", "using Singularity.Channels; public static class P { public static void F(Ping.Exp ep) { if (ep.Receive(out var m) == Ping.Exp.Tag.Hi) m.TakeHi(out int x, out var b); } }" },
        // Swapped, then one of them freed twice and the other leaked.
        { "SV0302", "using Singularity.Channels; public static class P { public static void F(int n) { var a = ExBuffer.Allocate(1); var b = ExBuffer.Allocate(2); for (int i = 0; i < n; i++) { var t = a; a = b; b = t; } a.Free(); a.Free(); } }" },
        { "SV0303", "using Singularity.Channels; public static class P { public static void F(int n) { var a = ExBuffer.Allocate(1); var b = ExBuffer.Allocate(2); for (int i = 0; i < n; i++) { var t = a; a = b; b = t; } a.Free(); } }" },
        // The previous iteration's buffer overwritten without being freed.
        { "SV0303", "using Singularity.Channels; public static class P { public static void F(int n) { ExBuffer prev = default; for (int i = 0; i < n; i++) { var cur = ExBuffer.Allocate(i + 1); prev = cur; } if (!prev.IsNull) prev.Free(); } }" },
        // A temporary used after the value it holds was freed in the loop.
        { "SV0301", "using Singularity.Channels; public static class P { public static int F(int n) { var b = ExBuffer.Allocate(1); var t = b; for (int i = 0; i < n; i++) { t = b; b = ExBuffer.Allocate(8); t.Free(); } int k = t.Length; b.Free(); return k; } }" },
        // A temporary freed twice across iterations (the kept value freed, then freed again next time).
        { "SV0302", "using Singularity.Channels; public static class P { public static void F(int n) { var b = ExBuffer.Allocate(1); var t = b; for (int i = 0; i < n; i++) { t.Free(); t = b; } b.Free(); } }" },
        // A slot that is the value on one path and null on the other: its null test says nothing
        // about the other slots that hold the value.
        { "SV0302", "using Singularity.Channels; public static class P { public static void F(bool c) { var b = ExBuffer.Allocate(1); ExBuffer t = default; if (c) t = b; if (t.IsNull) { b.Free(); b.Free(); return; } t.Free(); } }" },
        { "SV0303", "using Singularity.Channels; public static class P { public static void F(bool c) { var b = ExBuffer.Allocate(1); ExBuffer t = default; if (c) t = b; if (t.IsNull) return; t.Free(); } }" },
        // A Message is taken once: a copy of it is the same message (two owners of one block otherwise).
        { "SV0302", "using Singularity.Channels; public static class P { public static void F([Claims] Ping.Exp ep) { if (ep.Receive(out var m) == Ping.Exp.Tag.Hi) { var m2 = m; m.TakeHi(out int x, out var b); m2.TakeHi(out int y, out var c); b.Free(); c.Free(); } ep.Close(); } }" },
        { "SV0302", "using Singularity.Channels; public static class P { public static void F([Claims] Ping.Exp ep) { if (ep.Receive(out var m) == Ping.Exp.Tag.Hi) { m.TakeHi(out int x, out var b); b.Free(); m.TakeHi(out x, out b); b.Free(); } ep.Close(); } }" },
        { "SV0301", "using Singularity.Channels; public static class P { public static int F([Claims] Ping.Exp ep) { int k = 0; if (ep.Receive(out var m) == Ping.Exp.Tag.Hi) { m.TakeHi(out int x, out var b); b.Free(); k = (int)m.Kind; } ep.Close(); return k; } }" },
        { "SV0304", "using Singularity.Channels; public sealed class Box { public Ping.Exp.Message M; } public static class P { public static void F([Claims] Ping.Exp ep, Box box) { ep.Receive(out var m); box.M = m; ep.Close(); } }" },
        // One channel handle wrapped in two endpoints.
        { "SV0302", "using Singularity.Channels; public static class P { public static void F() { if (!EndpointHandle.TryTakeStartup(\"/x\", out var h)) return; var h2 = h; var a = Ping.Imp.FromHandle(h, null); var b = Ping.Imp.FromHandle(h2, null); a.Close(); b.Close(); } }" },
        // A using's Dispose is a release: after it the value is gone, and one sent inside was given away.
        { "SV0301", "using Singularity.Channels; public static class P { public static int F() { var b = ExBuffer.Allocate(4); using (b) { b[0] = 1; } return b.Length; } }" },
        { "SV0302", "using Singularity.Channels; public static class P { public static void F(Ping.Imp ep) { using (var b = ExBuffer.Allocate(4)) { ep.SendHi(1, b); } } }" },
        { "SV0302", "using Singularity.Channels; public static class P { public static void F() { using (var b = ExBuffer.Allocate(4)) { b.Free(); } } }" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void IsRejected(string code, string source)
    {
        var r = Within(TimeSpan.FromSeconds(20), () => CompileAndVerify(source));
        Assert.True(r.ExitCode == 1, $"expected rejection with {code}, got exit {r.ExitCode}:\n{string.Join("\n", r.Violations)}");
        Assert.Contains(r.Violations, v => v.Code == code);
    }

    /// <summary>Nested loops and branches that reassign, swap, send and receive tracked locals.</summary>
    private static string Pathological(int depth)
    {
        var sb = new StringBuilder();
        sb.AppendLine("using Singularity.Channels;");
        sb.AppendLine("public static class P {");
        sb.AppendLine("  public static void F(Ping.Imp ep, int n) {");
        sb.AppendLine("    var b0 = ExBuffer.Allocate(1); var b1 = ExBuffer.Allocate(2); var b2 = ExBuffer.Allocate(3); var b3 = ExBuffer.Allocate(4);");
        for (int d = 0; d < depth; d++)
        {
            string i = "i" + d;
            sb.AppendLine(d % 2 == 0 ? $"    for (int {i} = 0; {i} < n; {i}++) {{" : $"    int {i} = n; while ({i}-- > 0) {{");
            sb.AppendLine($"      if (({i} & 1) == 0) {{ b{d % 4}.Free(); b{d % 4} = ExBuffer.Allocate({d + 1}); }}");
            sb.AppendLine($"      if ({i} == 5) {{ var s = b{d % 4}; b{d % 4} = b{(d + 1) % 4}; b{(d + 1) % 4} = s; }}");
            sb.AppendLine($"      else if (({i} & 2) == 0) {{ var t = b{d % 4}; b{d % 4} = ExBuffer.Allocate(3); t.Free(); }}");
            sb.AppendLine($"      else {{ ep.SendHi({d}, b{(d + 2) % 4}); if (ep.RecvHo(out b{(d + 2) % 4}) != ReceiveResult.Message && b{(d + 2) % 4}.IsNull) b{(d + 2) % 4} = ExBuffer.Allocate(1); }}");
            sb.AppendLine($"      if ({i} == 7) continue;");
            sb.AppendLine($"      if ({i} == 9) {{ var t2 = b{(d + 3) % 4}; b{(d + 3) % 4} = ExBuffer.Allocate(2); t2.Free(); }}");
        }
        for (int d = depth - 1; d >= 0; d--)
        {
            sb.AppendLine($"      if (n == {d + 100}) {{ b0.Free(); b0 = ExBuffer.Allocate(5); }}");
            sb.AppendLine("    }");
        }
        sb.AppendLine("    b0.Free(); b1.Free(); b2.Free(); b3.Free();");
        sb.AppendLine("  }");
        sb.AppendLine("}");
        return sb.ToString();
    }

    [Fact]
    public void PathologicalLoopsVerifyQuickly()
    {
        string source = Pathological(8);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var r = Within(TimeSpan.FromSeconds(10), () => CompileAndVerify(source));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
        // Dead temporaries that still hold freed values, swaps and sends/receives in nested loops:
        // the method is correct and verifies.
        Assert.True(r.Verified, string.Join("\n", r.Violations));
    }

    /// <summary>Past the bound on block visits the method is refused with SV0219, never verified for ever.</summary>
    [Fact]
    public void NoFixedPointWithinTheBoundIsRefused()
    {
        string source = Pathological(3);
        var r = Within(TimeSpan.FromSeconds(10), () => CompileAndVerify(source, new VerifierOptions { MaxBlockVisits = 5 }));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(r.Violations, v => v.Code == "SV0219" && v.Message.Contains("fixed point"));
        // With the default bound (it scales with the method) the pass converges.
        var ok = CompileAndVerify(source);
        Assert.DoesNotContain(ok.Violations, v => v.Code == "SV0219");
    }

    /// <summary>The real contracts library (Contracts/): its generated endpoint code verifies.</summary>
    [Fact]
    public void ContractsLibraryVerifies()
    {
        Assert.True(File.Exists(Support.ContractsLibrary), "Contracts/ is not built (it is a build dependency of this project)");
        var r = Support.Verify(Support.ContractsLibrary);
        Assert.True(r.Verified, string.Join("\n", r.Violations));
    }

    /// <summary>The test contract compiled with the real generator verifies too.</summary>
    [Fact]
    public void TestContractVerifies()
    {
        var r = Support.Verify(Support.ChannelsAssembly);
        Assert.True(r.Verified, string.Join("\n", r.Violations));
    }
}
