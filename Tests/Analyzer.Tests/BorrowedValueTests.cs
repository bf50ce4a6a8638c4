namespace Singularity.Tests.Analyzer;

/// <summary>
/// SING0012: a value a method only borrowed (a parameter without [Claims], a ref parameter, or a
/// copy of one) may be read, never freed, closed, sent, handed to a [Claims] parameter or returned.
/// Before this rule the helper passed and its caller was told the value leaked; the suggested fix
/// (free it) was a double free at run time (issue 16).
/// </summary>
public class BorrowedValueTests
{
    public static TheoryData<string, string> Violations => new()
    {
        { "freeing a parameter without [Claims]", """
            class C { void M(ExBuffer b) {
                b.Free(); //!SING0012
            } }
            """ },
        { "sending a borrowed payload", """
            class C { void M([State("Start")] EchoContract.Imp ep, ExBuffer payload) {
                ep.SendPing(1, payload); //!SING0012
            } }
            """ },
        { "handing a borrowed value to a [Claims] parameter", """
            class C { void M(ExBuffer b) {
                Take(b); //!SING0012
            } }
            """ },
        { "freeing a copy of a borrowed parameter", """
            class C { void M(ExBuffer b) {
                var copy = b;
                copy.Free(); //!SING0012
            } }
            """ },
        { "freeing through a ref parameter", """
            class C { void M(ref ExBuffer b) {
                b.Free(); //!SING0012
            } }
            """ },
        { "returning a borrowed value", """
            class C { ExBuffer M(ExBuffer b) {
                return b; //!SING0012
            } }
            """ },
        { "closing a borrowed endpoint", """
            class C { void M([State("Start")] EchoContract.Imp ep) {
                ep.Close(); //!SING0012
            } }
            """ },
    };

    public static TheoryData<string, string> Clean => new()
    {
        { "reading a borrowed value", """
            class C { int M(ExBuffer b) {
                b[0] = 1;
                return b.Length;
            } }
            """ },
        { "a copy of a borrowed value only read does not leak", """
            class C { int M(ExBuffer b) {
                var copy = b;
                return copy.Length;
            } }
            """ },
        { "a [Claims] parameter is the method's to free", """
            class C { void M([Claims] ExBuffer b) {
                b.Free();
            } }
            """ },
        { "the caller lends, then frees its own value", """
            class C {
                static int Peek(ExBuffer b) => b.Length;
                void M() {
                    var b = ExBuffer.Allocate(8);
                    try { Peek(b); }
                    finally { b.Free(); }
                }
            }
            """ },
        { "reading through a ref parameter", """
            class C { int M(ref ExBuffer b) {
                return b.Length;
            } }
            """ },
    };

    [Theory, MemberData(nameof(Violations))] public Task Sing0012(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(Clean))] public Task Sing0012Clean(string name, string source) { _ = name; return Harness.Verify(source); }
}
