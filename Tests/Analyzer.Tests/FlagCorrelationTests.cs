namespace Singularity.Tests.Analyzer;

/// <summary>
/// A block freed in `finally` only when a `bool sent` flag says it was not sent (issue 16): each
/// path through the finally knows the flag, so neither a leak nor a double free is reported; the
/// same pattern with the flag set wrongly still is.
/// </summary>
public class FlagCorrelationTests
{
    public static TheoryData<string, string> Clean => new()
    {
        { "freed in finally unless sent", """
            class C { void M([State("Start")] EchoContract.Imp ep) {
                var b = ExBuffer.Allocate(8);
                bool sent = false;
                try
                {
                    Work();
                    ep.SendPing(1, b);
                    sent = true;
                    Work();
                }
                finally
                {
                    if (!sent) b.Free();
                }
            } }
            """ },
        { "a flag compared with a constant", """
            class C { void M([State("Start")] EchoContract.Imp ep) {
                var b = ExBuffer.Allocate(8);
                bool sent = false;
                try { Work(); ep.SendPing(1, b); sent = true; }
                finally { if (sent == false) b.Free(); }
            } }
            """ },
        { "a flag that says it was freed", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                bool freed = false;
                try { Work(); b.Free(); freed = true; Work(); }
                finally { if (!freed) b.Free(); }
            } }
            """ },
    };

    public static TheoryData<string, string> Violations => new()
    {
        { "the flag set before the send", """
            class C { void M([State("Start")] EchoContract.Imp ep) {
                var b = ExBuffer.Allocate(8);
                bool sent = false;
                try { sent = true; Work(); ep.SendPing(1, b); } //!SING0003
                finally { if (!sent) b.Free(); }
            } }
            """ },
        { "a flag passed by ref is not trusted", """
            class C {
                static void Set(ref bool f) { f = true; }
                void M([State("Start")] EchoContract.Imp ep) {
                    var b = ExBuffer.Allocate(8);
                    bool sent = false;
                    try { Work(); ep.SendPing(1, b); Set(ref sent); } //!SING0003
                    finally { if (!sent) b.Free(); } //!SING0002
                }
            }
            """ },
    };

    [Theory, MemberData(nameof(Clean))] public Task FlagClean(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(Violations))] public Task FlagViolation(string name, string source) { _ = name; return Harness.Verify(source); }
}
