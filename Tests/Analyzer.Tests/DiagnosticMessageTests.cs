namespace Singularity.Tests.Analyzer;

/// <summary>
/// Messages a person can act on (issue 16): the call that may throw named as written ("new Foo"),
/// one diagnostic per cause, the line that moved ownership, and a finally that runs but does not
/// release named as such.
/// </summary>
public class DiagnosticMessageTests
{
    [Fact]
    public async Task ALeakOnAConstructorsExceptionNamesTheTypeOnce()
    {
        var d = Assert.Single(await Harness.Analyze("""
            class Foo { public Foo() { } }
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                var f = new Foo();
                b.Free();
            } }
            """));
        Assert.Equal("SING0003", d.Id);
        Assert.Contains("if 'new Foo' throws", d.GetMessage());
    }

    [Fact]
    public async Task ALeakAtAThrowIsReportedOnceAtTheThrow()
    {
        var d = Assert.Single(await Harness.Analyze("""
            class C { void M(bool bad) {
                var b = ExBuffer.Allocate(8);
                if (bad) throw new InvalidOperationException("bad");
                b.Free();
            } }
            """));
        Assert.Equal("SING0003", d.Id);
        Assert.Equal(3, d.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.DoesNotContain(".ctor", d.GetMessage());
    }

    [Fact]
    public async Task ALeakThroughAFinallySaysTheFinallyDoesNotReleaseIt()
    {
        var d = Assert.Single(await Harness.Analyze("""
            class C { void M(bool early) {
                var b = ExBuffer.Allocate(8);
                try { Work(); }
                finally { if (early) Log("x"); }
                b.Free();
            } }
            """));
        Assert.Equal("SING0003", d.Id);
        Assert.Contains("the finally that runs then does not release it", d.GetMessage());
    }

    [Fact]
    public async Task ADoubleTransferNamesTheLineThatMovedOwnership()
    {
        var d = Assert.Single(await Harness.Analyze("""
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                var copy = b;
                copy.Free();
                b.Free();
            } }
            """));
        Assert.Equal("SING0002", d.Id);
        Assert.Contains("at line 3: 'copy = b'", d.GetMessage());
    }
}
