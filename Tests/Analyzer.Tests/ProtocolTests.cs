namespace Singularity.Tests.Analyzer;

/// <summary>SING0006 protocol typestate, SING0007 incomplete switch receive.</summary>
public class ProtocolTests
{
    public static TheoryData<string, string> Violations => new()
    {
        { "receive before sending", """
            class C { void M() {
                EchoContract.NewChannel(out var imp, out var exp);
                imp.RecvPong(out int seq, out var buf); //!SING0006
                buf.Free();
                imp.Close();
                exp.Close();
            } }
            """ },
        { "exporter answers before the request", """
            class C { void M() {
                EchoContract.NewChannel(out var imp, out var exp);
                exp.SendPong(1, ExBuffer.Allocate(4)); //!SING0006
                imp.Close();
                exp.Close();
            } }
            """ },
        { "two requests in a row", """
            class C { void M([State("Start")] EchoContract.Imp imp) {
                imp.SendPing(1, ExBuffer.Allocate(4));
                imp.SendPing(2, ExBuffer.Allocate(4)); //!SING0006
            } }
            """ },
        { "close in a non-closable state", """
            class C { void M() {
                FileContract.NewChannel(out var imp, out var exp);
                exp.Close(); //!SING0006
                imp.SendBye();
                imp.Close();
            } }
            """ },
        { "paths disagree at the join", """
            class C { void M(bool c) {
                EchoContract.NewChannel(out var imp, out var exp);
                var b = ExBuffer.Allocate(4);
                if (c) imp.SendPing(1, b);
                else b.Free();
                imp.Close(); //!SING0006
                exp.Close();
            } }
            """ },
        { "loop that sends without receiving", """
            class C { void M([State("Start")] EchoContract.Imp imp, int n) {
                for (int i = 0; i < n; i++)
                    imp.SendPing(i, ExBuffer.Allocate(4)); //!SING0006
            } }
            """ },
        { "argument in the wrong state for a [State] parameter", """
            class C {
                static void Answer([State("S1")] EchoContract.Exp ep) { ep.SendBusy(); }
                void M([State("Start")] EchoContract.Exp exp) {
                    Answer(exp); //!SING0006
                }
            }
            """ },
        { "receive where this side must send", """
            class C { void M([State("Reading")] FileContract.Exp ep) {
                switch (ep.Receive(out var m)) //!SING0006
                {
                    case FileContract.Exp.Tag.Read: break;
                    case FileContract.Exp.Tag.Write: break;
                    case FileContract.Exp.Tag.Bye: break;
                    case FileContract.Exp.Tag.ChannelClosed: break;
                }
            } }
            """ },
        { "close before the goodbye, after a read", """
            class C { void M() {
                FileContract.NewChannel(out var imp, out var exp);
                exp.Close(); //!SING0006
                imp.SendRead(0);
                imp.RecvData(out var data);
                data.Free();
                imp.Close(); //!SING0006
            } }
            """ },
    };

    public static TheoryData<string, string> Clean => new()
    {
        { "ping pong on both ends", """
            class C { void M() {
                EchoContract.NewChannel(out var imp, out var exp);
                imp.SendPing(1, ExBuffer.Allocate(4));
                if (exp.RecvPing(out int seq, out var buf) == ReceiveResult.Message)
                    exp.SendPong(seq, buf);
                else
                    exp.SendBusy();
                if (imp.RecvPong(out int s2, out var back) == ReceiveResult.Message) back.Free();
                imp.Close();
                exp.Close();
            } }
            """ },
        { "server loop with switch receive", """
            class C { void Serve([Claims][State("Start")] EchoContract.Exp ep) {
                while (true)
                {
                    switch (ep.Receive(out var m))
                    {
                        case EchoContract.Exp.Tag.Ping:
                            m.TakePing(out int seq, out var buf);
                            ep.SendPong(seq, buf);
                            break;
                        case EchoContract.Exp.Tag.ChannelClosed:
                            ep.Close();
                            return;
                    }
                }
            } }
            """ },
        { "file server", """
            class C { void Serve([Claims][State("Ready")] FileContract.Exp ep) {
                while (true)
                {
                    switch (ep.Receive(out var m))
                    {
                        case FileContract.Exp.Tag.Read:
                            m.TakeRead(out long offset);
                            ep.SendData(ExBuffer.Allocate(512));
                            break;
                        case FileContract.Exp.Tag.Write:
                            m.TakeWrite(out long at, out var data);
                            data.Free();
                            break;
                        case FileContract.Exp.Tag.Bye:
                            ep.Close();
                            return;
                        case FileContract.Exp.Tag.ChannelClosed:
                            ep.Close();
                            return;
                    }
                }
            } }
            """ },
        { "[State] parameter in a helper", """
            class C {
                static void Answer([State("S1")] EchoContract.Exp ep, bool busy) {
                    if (busy) ep.SendBusy();
                    else ep.SendPong(0, ExBuffer.Allocate(1));
                }
                void M([State("Start")] EchoContract.Exp ep) {
                    if (ep.RecvPing(out int seq, out var buf) != ReceiveResult.Message) return;
                    buf.Free();
                    Answer(ep, seq > 3);
                }
            }
            """ },
        { "client loop that alternates", """
            class C { void M([State("Start")] EchoContract.Imp imp, int n) {
                for (int i = 0; i < n; i++)
                {
                    imp.SendPing(i, ExBuffer.Allocate(8));
                    switch (imp.Receive(out var m))
                    {
                        case EchoContract.Imp.Tag.Pong:
                            m.TakePong(out int seq, out var buf);
                            buf.Free();
                            break;
                        case EchoContract.Imp.Tag.Busy:
                            m.TakeBusy();
                            break;
                        case EchoContract.Imp.Tag.ChannelClosed:
                            return;
                    }
                }
            } }
            """ },
        { "endpoints carried in messages", """
            class C { void M() {
                BrokerContract.NewChannel(out var bi, out var be);
                EchoContract.NewChannel(out var imp, out var exp);
                bi.SendConnect(exp);
                if (be.RecvConnect(out var service) == ReceiveResult.Message)
                {
                    if (service.RecvPing(out int seq, out var buf) == ReceiveResult.Message)
                        service.SendPong(seq, buf);
                    service.Close();
                }
                imp.Close();
                bi.Close();
                be.Close();
            } }
            """ },
        { "closing after the goodbye", """
            class C { void M() {
                FileContract.NewChannel(out var imp, out var exp);
                imp.SendBye();
                if (exp.RecvBye() == ReceiveResult.Message) exp.Close();
                else exp.Close();
                imp.Close();
            } }
            """ },
    };

    public static TheoryData<string, string> Incomplete => new()
    {
        { "ChannelClosed not handled", """
            class C { void M([State("Start")] EchoContract.Exp ep) {
                switch (ep.Receive(out var m)) //!SING0007
                {
                    case EchoContract.Exp.Tag.Ping:
                        m.TakePing(out int seq, out var buf);
                        ep.SendPong(seq, buf);
                        break;
                }
            } }
            """ },
        { "message not handled", """
            class C { void M([State("Start")] EchoContract.Exp ep) {
                switch (ep.Receive(out var m)) //!SING0007
                {
                    case EchoContract.Exp.Tag.ChannelClosed:
                        break;
                }
            } }
            """ },
        { "one of three requests not handled", """
            class C { void M([State("Ready")] FileContract.Exp ep) {
                switch (ep.Receive(out var m)) //!SING0007
                {
                    case FileContract.Exp.Tag.Read: m.TakeRead(out long o); ep.SendData(ExBuffer.Allocate(1)); break;
                    case FileContract.Exp.Tag.Write: m.TakeWrite(out long o2, out var d); d.Free(); break;
                    case FileContract.Exp.Tag.ChannelClosed: break;
                }
            } }
            """ },
        { "timeout given but not handled", """
            class C { void M([State("Start")] EchoContract.Exp ep) {
                switch (ep.Receive(out var m, 100)) //!SING0007
                {
                    case EchoContract.Exp.Tag.Ping: m.TakePing(out int s, out var b); ep.SendPong(s, b); break;
                    case EchoContract.Exp.Tag.ChannelClosed: break;
                }
            } }
            """ },
        { "client misses Busy", """
            class C { void M([State("S1")] EchoContract.Imp ep) {
                switch (ep.Receive(out var m)) //!SING0007
                {
                    case EchoContract.Imp.Tag.Pong: m.TakePong(out int s, out var b); b.Free(); break;
                    case EchoContract.Imp.Tag.ChannelClosed: break;
                }
            } }
            """ },
        { "in a loop after a send", """
            class C { void M([State("Start")] EchoContract.Imp ep) {
                while (true)
                {
                    ep.SendPing(0, ExBuffer.Allocate(1));
                    switch (ep.Receive(out var m)) //!SING0007
                    {
                        case EchoContract.Imp.Tag.Pong: m.TakePong(out int s, out var b); b.Free(); break;
                        case EchoContract.Imp.Tag.Busy: m.TakeBusy(); break;
                    }
                }
            } }
            """ },
    };

    public static TheoryData<string, string> Complete => new()
    {
        { "all messages and ChannelClosed", """
            class C { void M([State("Start")] EchoContract.Exp ep) {
                switch (ep.Receive(out var m))
                {
                    case EchoContract.Exp.Tag.Ping: m.TakePing(out int s, out var b); ep.SendPong(s, b); break;
                    case EchoContract.Exp.Tag.ChannelClosed: break;
                }
            } }
            """ },
        { "default covers the rest", """
            class C { void M([State("Ready")] FileContract.Exp ep) {
                switch (ep.Receive(out var m))
                {
                    case FileContract.Exp.Tag.Write: m.TakeWrite(out long o, out var d); d.Free(); break;
                    default: break;
                }
            } }
            """ },
        { "no timeout, no TimedOut case needed", """
            class C { void M([State("S1")] EchoContract.Imp ep) {
                switch (ep.Receive(out var m, -1))
                {
                    case EchoContract.Imp.Tag.Pong: m.TakePong(out int s, out var b); b.Free(); break;
                    case EchoContract.Imp.Tag.Busy: break;
                    case EchoContract.Imp.Tag.ChannelClosed: break;
                }
            } }
            """ },
        { "timeout handled", """
            class C { void M([State("Start")] EchoContract.Exp ep, int ms) {
                switch (ep.Receive(out var m, ms))
                {
                    case EchoContract.Exp.Tag.Ping: m.TakePing(out int s, out var b); ep.SendPong(s, b); break;
                    case EchoContract.Exp.Tag.ChannelClosed: break;
                    case EchoContract.Exp.Tag.TimedOut: break;
                }
            } }
            """ },
        { "several labels on one section", """
            class C { void M([State("Ready")] FileContract.Exp ep) {
                switch (ep.Receive(out var m))
                {
                    case FileContract.Exp.Tag.Read: m.TakeRead(out long o); ep.SendData(ExBuffer.Allocate(1)); break;
                    case FileContract.Exp.Tag.Bye:
                    case FileContract.Exp.Tag.ChannelClosed:
                        break;
                    case FileContract.Exp.Tag.Write: m.TakeWrite(out long o2, out var d); d.Free(); break;
                }
            } }
            """ },
        { "discard pattern", """
            class C { void M([State("Start")] EchoContract.Exp ep) {
                switch (ep.Receive(out var m))
                {
                    case EchoContract.Exp.Tag.Ping: m.TakePing(out int s, out var b); ep.SendPong(s, b); break;
                    case var _: break;
                }
            } }
            """ },
    };

    [Theory, MemberData(nameof(Violations))] public Task Sing0006(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(Clean))] public Task Sing0006Clean(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(Incomplete))] public Task Sing0007(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(Complete))] public Task Sing0007Clean(string name, string source) { _ = name; return Harness.Verify(source); }

    [Fact]
    public async Task MessagesNameContractStateAndMessage()
    {
        var d = (await Harness.Analyze("""
            class C { void M([State("Start")] EchoContract.Imp imp) {
                imp.SendPing(1, ExBuffer.Allocate(4));
                imp.SendPing(2, ExBuffer.Allocate(4));
            } }
            """)).Single(x => x.Id == "SING0006");
        var msg = d.GetMessage();
        Assert.Contains("SendPing", msg);
        Assert.Contains("EchoContract.Imp", msg);
        Assert.Contains("'S1'", msg);
        Assert.Contains("'imp'", msg);
    }
}
