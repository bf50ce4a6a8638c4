namespace Singularity.Tests.Analyzer;

/// <summary>
/// SING0013: an endpoint parameter that the function sends, receives or closes on must carry
/// [State]; without it nothing about the endpoint was checked inside the helper (a helper that
/// replied before it received passed) and callers were not checked against it (issue 16).
/// </summary>
public class MissingStateTests
{
    public static TheoryData<string, string> Violations => new()
    {
        { "a helper that replies before it receives", """
            class C { static void Reply([Claims] EchoContract.Exp ep) { //!SING0013
                ep.SendBusy();
                ep.Close();
            } }
            """ },
        { "a borrowed endpoint that is sent on", """
            class C { static void Ask(EchoContract.Imp ep) { //!SING0013
                ep.SendPing(1, ExBuffer.Allocate(8));
            } }
            """ },
        { "a receive in a helper", """
            class C { static void Wait(EchoContract.Imp ep) { //!SING0013
                if (ep.Receive(out var m) == EchoContract.Imp.Tag.Pong) { m.TakePong(out int s, out var b); b.Free(); }
            } }
            """ },
        { "a local function's parameter", """
            class C { void M() {
                static void Close([Claims] EchoContract.Imp ep) => ep.Close(); //!SING0013
            } }
            """ },
    };

    public static TheoryData<string, string> Clean => new()
    {
        { "[State] given", """
            class C { static void Ask([State("Start")] EchoContract.Imp ep) {
                ep.SendPing(1, ExBuffer.Allocate(8));
            } }
            """ },
        { "an endpoint only passed along", """
            class C {
                static void Ask([State("Start")] EchoContract.Imp ep) { ep.SendPing(1, ExBuffer.Allocate(8)); }
                static void Outer(EchoContract.Imp ep) { Ask(ep); }
            }
            """ },
        { "an endpoint only read", """
            class C { static bool Same(EchoContract.Imp a, EchoContract.Imp b) => a == b; }
            """ },
    };

    [Theory, MemberData(nameof(Violations))] public Task Sing0013(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(Clean))] public Task Sing0013Clean(string name, string source) { _ = name; return Harness.Verify(source); }

    [Fact]
    public async Task WithStateTheHelperIsChecked()
    {
        // The same helper as above with the state its first use wanted: now the reply before the
        // receive is reported inside it.
        await Harness.Verify("""
            class C { static void Reply([Claims, State("Start")] EchoContract.Exp ep) {
                ep.SendBusy(); //!SING0006
                ep.Close();
            } }
            """);
    }

    [Fact]
    public async Task TheMessageNamesTheStatesTheFirstUseAllows()
    {
        var d = Assert.Single(await Harness.Analyze("""
            class C { static void Reply([Claims] EchoContract.Exp ep) { ep.SendBusy(); ep.Close(); } }
            """));
        Assert.Equal("SING0013", d.Id);
        Assert.Contains("[State(\"S1\")]", d.GetMessage());
        Assert.Equal("S1", d.Properties["states"]);
    }
}
