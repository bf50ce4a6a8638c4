namespace Singularity.Tests.Analyzer;

/// <summary>
/// A received message whose tracked arguments are never taken leaks them (SING0003): the analyzer
/// knows which message kinds carry blocks or endpoints and which kinds are still possible on each
/// path of a test of the Receive's result. A kind without tracked arguments, ChannelClosed and
/// TimedOut may be dropped (issue 16).
/// </summary>
public class DroppedMessageTests
{
    public static TheoryData<string, string> Violations => new()
    {
        { "a case that never takes the payload", """
            class C { void M([State("Ready")] FileContract.Exp ep) {
                switch (ep.Receive(out var m))
                {
                    case FileContract.Exp.Tag.Read: m.TakeRead(out long o); ep.SendData(ExBuffer.Allocate(1)); break;
                    case FileContract.Exp.Tag.Write: break; //!SING0003
                    case FileContract.Exp.Tag.Bye: m.TakeBye(); break;
                    case FileContract.Exp.Tag.ChannelClosed: break;
                }
            } }
            """ },
        { "a default that drops a kind with a payload", """
            class C { void M([State("Ready")] FileContract.Exp ep) {
                switch (ep.Receive(out var m))
                {
                    case FileContract.Exp.Tag.Read: m.TakeRead(out long o); ep.SendData(ExBuffer.Allocate(1)); break;
                    default: break; //!SING0003
                }
            } }
            """ },
        { "an if that handles one kind and drops the rest", """
            class C { void M([Claims, State("Start")] EchoContract.Imp ep) {
                ep.SendPing(1, ExBuffer.Allocate(4));
                if (ep.Receive(out var m) == EchoContract.Imp.Tag.Busy) { m.TakeBusy(); }
                ep.Close();
            } } //!SING0003
            """ },
        { "a message discarded at the receive", """
            class C { void M([Claims, State("S1")] EchoContract.Imp ep) {
                ep.Receive(out _); //!SING0003
                ep.Close();
            } }
            """ },
        { "a message overwritten by the next receive", """
            class C { void M([State("Ready")] FileContract.Exp ep) {
                FileContract.Exp.Message m;
                if (ep.Receive(out m) == FileContract.Exp.Tag.Write)
                    ep.Receive(out m); //!SING0003
                m.Discard();
            } }
            """ },
        { "a claimed message must be taken", """
            class C { void M([Claims] EchoContract.Exp.Message m) {
            } } //!SING0003
            """ },
        { "a message dropped if user code throws before the take", """
            class C { void M([Claims, State("Start")] EchoContract.Exp ep) {
                if (ep.Receive(out var m) == EchoContract.Exp.Tag.Ping)
                {
                    Work(); //!SING0003 SING0003
                    m.TakePing(out int s, out var b);
                    b.Free();
                }
                ep.Close();
            } }
            """ },
    };

    public static TheoryData<string, string> Clean => new()
    {
        { "every kind with a payload is taken", """
            class C { void M([State("Ready")] FileContract.Exp ep) {
                switch (ep.Receive(out var m))
                {
                    case FileContract.Exp.Tag.Read: m.TakeRead(out long o); ep.SendData(ExBuffer.Allocate(1)); break;
                    case FileContract.Exp.Tag.Write: m.TakeWrite(out long o2, out var d); d.Free(); break;
                    case FileContract.Exp.Tag.Bye: break;
                    case FileContract.Exp.Tag.ChannelClosed: break;
                }
            } }
            """ },
        { "a kind without arguments may be dropped", """
            class C { void M([Claims, State("S1")] EchoContract.Imp ep) {
                switch (ep.Receive(out var m))
                {
                    case EchoContract.Imp.Tag.Pong: m.TakePong(out int s, out var b); b.Free(); break;
                    case EchoContract.Imp.Tag.Busy: break;
                    case EchoContract.Imp.Tag.ChannelClosed: break;
                }
                ep.Close();
            } }
            """ },
        { "ruled out by != tests", """
            class C { void M([Claims, State("S1")] EchoContract.Imp ep) {
                var tag = ep.Receive(out var m);
                if (tag == EchoContract.Imp.Tag.ChannelClosed) { ep.Close(); return; }
                if (tag != EchoContract.Imp.Tag.Pong) { ep.Close(); return; }
                m.TakePong(out int s, out var b);
                b.Free();
                ep.Close();
            } }
            """ },
        { "a default after every payload kind", """
            class C { void M([State("Ready")] FileContract.Exp ep) {
                switch (ep.Receive(out var m))
                {
                    case FileContract.Exp.Tag.Write: m.TakeWrite(out long o, out var d); d.Free(); break;
                    case FileContract.Exp.Tag.Read: m.TakeRead(out long o2); ep.SendData(ExBuffer.Allocate(1)); break;
                    default: break;
                }
            } }
            """ },
        { "a claimed message handed on", """
            class C {
                static void Serve([Claims] EchoContract.Exp.Message m) { m.TakePing(out int s, out var b); b.Free(); }
                void M([State("Start")] EchoContract.Exp ep) {
                    if (ep.Receive(out var m) == EchoContract.Exp.Tag.Ping) Serve(m);
                }
            }
            """ },
        { "a message discarded", """
            class C { void M([State("Ready")] FileContract.Exp ep) {
                ep.Receive(out var m);
                m.Discard();
            } }
            """ },
        { "a borrowed message only read", """
            class C { int M(EchoContract.Exp.Message m) => (int)m.Kind; }
            """ },
    };

    [Theory, MemberData(nameof(Violations))] public Task Dropped(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(Clean))] public Task DroppedClean(string name, string source) { _ = name; return Harness.Verify(source); }
}
