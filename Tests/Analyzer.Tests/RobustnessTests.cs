using Microsoft.CodeAnalysis.Diagnostics;

namespace Singularity.Tests.Analyzer;

/// <summary>Odd and broken code must never make the analyzer fail (no SING0000, no exception).</summary>
public class RobustnessTests
{
    public static TheoryData<string> Odd => new()
    {
        "class C { void M() { var b = ExBuffer.Allocate(; b. } }",
        "class C { void M(EchoContract.Imp ep) { switch (ep.Receive(out var m)) { case : } } }",
        "class C { void M() { goto L; L: var b = ExBuffer.Allocate(1); if (b.Length > 0) goto L; b.Free(); } }",
        "class C { int M(int x) { try { try { return x; } finally { x++; } } catch when (x > 1) { throw; } finally { } } }",
        "class C { void M() { ExBuffer b; b.Free(); Func<ExBuffer, ExBuffer> f = x => x; var q = f(ExBuffer.Allocate(1)); q.Free(); } }",
        "class C { System.Collections.Generic.IEnumerable<ExBuffer> M() { using var d = (IDisposable)null; yield return ExBuffer.Allocate(1); } }",
        "class C { void M((ExBuffer a, int b) t) { var (x, y) = t; x.Free(); ref var r = ref t.a; } }",
        "[EndpointProtocol(Initial = null, Transitions = new[] { \"bad\", \"A:!X\" })] class E : Endpoint { E() : base(default, 0) {} public void SendX() {} } class C { void M([State(\"Q\")] E e) { e.SendX(); e.Close(); } }",
    };

    [Theory, MemberData(nameof(Odd))]
    public async Task NeverFails(string source)
    {
        var compilation = Harness.Compile(source);
        var diagnostics = await compilation.WithAnalyzers(Harness.Analyzers).GetAnalyzerDiagnosticsAsync();
        Assert.DoesNotContain(diagnostics, d => d.Id == "SING0000");
    }
}
