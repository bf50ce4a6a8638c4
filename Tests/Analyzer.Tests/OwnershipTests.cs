namespace Singularity.Tests.Analyzer;

/// <summary>SING0001 use after transfer, SING0002 double transfer, SING0003 leaks.</summary>
public class OwnershipTests
{
    public static TheoryData<string, string> UseAfterTransfer => new()
    {
        { "after Free", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                b.Free();
                int n = b.Length; //!SING0001
            } }
            """ },
        { "after a generated Send", """
            class C { void M([State("Start")] EchoContract.Imp ep) {
                var b = ExBuffer.Allocate(8);
                ep.SendPing(1, b);
                b[0] = 1; //!SING0001
            } }
            """ },
        { "after both branches transferred", """
            class C { void M(bool c) {
                var b = ExBuffer.Allocate(8);
                if (c) b.Free();
                else Take(b);
                Log(b.Length.ToString()); //!SING0001
            } }
            """ },
        { "in a loop after a transfer", """
            class C { int M() {
                var b = ExBuffer.Allocate(8);
                Take(b);
                int sum = 0;
                for (int i = 0; i < 3; i++)
                    sum += b.Length; //!SING0001
                return sum;
            } }
            """ },
        { "after a move into another variable", """
            class C { void M() {
                var a = ExBuffer.Allocate(8);
                var c = a;
                a.WriteInt64(0, 1); //!SING0001
                c.Free();
            } }
            """ },
        { "endpoint after Close", """
            class C { string M() {
                EchoContract.NewChannel(out var imp, out var exp);
                exp.Close();
                imp.Close();
                return imp.StateName; //!SING0001
            } }
            """ },
        { "in finally after a transfer in try", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                try { Take(b); }
                finally { Log(b.Length.ToString()); } //!SING0001
            } }
            """ },
        { "on some path only", """
            class C { void M(bool c) {
                var b = ExBuffer.Allocate(8);
                if (c) Take(b);
                Use(b); //!SING0001
            } //!SING0003
            }
            """ },
        { "after a using's end", """
            class C { int M() {
                var b = ExBuffer.Allocate(8);
                using (b) { b[0] = 1; }
                return b.Length; //!SING0001
            } }
            """ },
    };

    public static TheoryData<string, string> UseAfterTransferClean => new()
    {
        { "use then free", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                b[0] = 1;
                Use(b);
                b.Free();
            } }
            """ },
        { "re-acquired after transfer", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                Take(b);
                b = ExBuffer.Allocate(2);
                b.Free();
            } }
            """ },
        { "fresh value each loop iteration", """
            class C { void M(EchoContract.Imp ep) {
                for (int i = 0; i < 10; i++)
                {
                    var b = ExBuffer.Allocate(i);
                    b.WriteInt64(0, i);
                    Take(b);
                }
            } }
            """ },
        { "null-checked optional buffer", """
            class C { void M(bool c) {
                ExBuffer b = default;
                if (c) b = ExBuffer.Allocate(4);
                if (!b.IsNull) b.Free();
            } }
            """ },
        { "TRef round trip", """
            class C {
                [State("Start")] TRef<EchoContract.Imp> cell;
                void M() {
                    EchoContract.NewChannel(out var imp, out var exp);
                    exp.Close();
                    cell = new TRef<EchoContract.Imp>(imp);
                    var again = cell.Acquire();
                    again.Close();
                }
            }
            """ },
        { "conditional access on an endpoint", """
            class C { void M(bool c) {
                EchoContract.Imp imp = null;
                EchoContract.Exp exp = null;
                if (c) EchoContract.NewChannel(out imp, out exp);
                imp?.Close();
                exp?.Close();
            } }
            """ },
    };

    public static TheoryData<string, string> DoubleTransfer => new()
    {
        { "Free twice", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                b.Free();
                b.Free(); //!SING0002
            } }
            """ },
        { "claimed twice", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                Take(b);
                Take(b); //!SING0002
            } }
            """ },
        { "sent then freed", """
            class C { void M([State("Start")] EchoContract.Imp ep) {
                var b = ExBuffer.Allocate(8);
                ep.SendPing(1, b);
                b.Free(); //!SING0002
            } }
            """ },
        { "claimed in a loop", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                for (int i = 0; i < 2; i++)
                    Take(b); //!SING0002
            } //!SING0003
            }
            """ },
        { "on one branch then again", """
            class C { void M(bool c) {
                var b = ExBuffer.Allocate(8);
                if (c) b.Free();
                Take(b); //!SING0002
            } }
            """ },
        { "closed twice", """
            class C { void M() {
                EchoContract.NewChannel(out var imp, out var exp);
                exp.Close();
                imp.Close();
                imp.Close(); //!SING0002
            } }
            """ },
        { "TRef released after the constructor claimed it", """
            class C { void M() {
                EchoContract.NewChannel(out var imp, out var exp);
                exp.Close();
                var cell = new TRef<EchoContract.Imp>(imp);
                cell.Release(imp); //!SING0002
            } }
            """ },
        { "a using disposes a buffer it sent", """
            class C { void M([State("Start")] EchoContract.Imp ep) {
                using (var b = ExBuffer.Allocate(8)) //!SING0002
                {
                    ep.SendPing(1, b);
                }
            } }
            """ },
    };

    public static TheoryData<string, string> DoubleTransferClean => new()
    {
        { "one free per branch", """
            class C { void M(bool c) {
                var b = ExBuffer.Allocate(8);
                if (c) b.Free();
                else Take(b);
            } }
            """ },
        { "transfer, reacquire, transfer", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                Take(b);
                b = ExBuffer.Allocate(8);
                Take(b);
            } }
            """ },
        { "each switch case frees once", """
            class C { void M(int k) {
                var b = ExBuffer.Allocate(8);
                switch (k)
                {
                    case 0: b.Free(); break;
                    case 1: Take(b); break;
                    default: b.Free(); break;
                }
            } }
            """ },
        { "try/finally frees once", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                try { Work(); Use(b); }
                finally { b.Free(); }
            } }
            """ },
        { "free in loop body with break", """
            class C { void M(bool c) {
                while (true)
                {
                    var b = ExBuffer.Allocate(8);
                    if (c) { b.Free(); break; }
                    Take(b);
                }
            } }
            """ },
    };

    public static TheoryData<string, string> Leaks => new()
    {
        { "SIP code cannot exempt itself by using the runtime's namespace", """
            namespace Singularity.Mine { class C { void M() {
                var b = ExBuffer.Allocate(8);
                b[0] = 1;
            } //!SING0003
            } }
            """ },
        { "not freed at end of scope", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                b[0] = 1;
            } //!SING0003
            }
            """ },
        { "early return", """
            class C { void M(bool c) {
                var b = ExBuffer.Allocate(8);
                if (c)
                    return; //!SING0003
                b.Free();
            } }
            """ },
        { "a call may throw before the free", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                Work(); //!SING0003
                b.Free();
            } }
            """ },
        { "break out of a loop", """
            class C { void M(bool c) {
                while (c)
                {
                    var b = ExBuffer.Allocate(8);
                    if (b.Length > 3)
                        break; //!SING0003
                    b.Free();
                }
            } }
            """ },
        { "overwritten", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                b = ExBuffer.Allocate(16); //!SING0003
                b.Free();
            } }
            """ },
        { "discarded result", """
            class C { void M() {
                ExBuffer.Allocate(8); //!SING0003
            } }
            """ },
        { "one side of a new channel", """
            class C { void M() {
                EchoContract.NewChannel(out var imp, out var exp);
                imp.Close();
            } //!SING0003
            }
            """ },
        { "catch that returns without freeing", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                try { Work(); }
                catch (Exception)
                {
                    Log("failed");
                    return; //!SING0003
                }
                b.Free();
            } }
            """ },
        { "claimed parameter not released", """
            class C { void M([Claims] ExBuffer b, bool c) {
                if (c) b.Free();
            } //!SING0003
            }
            """ },
        { "received buffer not freed", """
            class C { void M([State("Start")] EchoContract.Exp ep) {
                if (ep.RecvPing(out int seq, out var payload) != ReceiveResult.Message)
                    return;
                ep.SendBusy();
            } //!SING0003
            }
            """ },
    };

    public static TheoryData<string, string> LeaksClean => new()
    {
        { "freed at end", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                b[0] = 1;
                b.Free();
            } }
            """ },
        { "try/finally around a throwing call", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                try { Work(); }
                finally { b.Free(); }
            } }
            """ },
        { "returned to the caller", """
            class C { ExBuffer M(bool c) {
                var b = ExBuffer.Allocate(8);
                if (c) b[0] = 1;
                return b;
            } }
            """ },
        { "catch frees and rethrows", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                try { Work(); }
                catch { b.Free(); throw; }
                b.Free();
            } }
            """ },
        { "freed on every branch", """
            class C { void M(int k) {
                var b = ExBuffer.Allocate(8);
                if (k == 0) { b.Free(); return; }
                if (k == 1) { Take(b); return; }
                b.Free();
            } }
            """ },
        { "receive result checked before use", """
            class C { void M([State("Start")] EchoContract.Exp ep) {
                if (ep.RecvPing(out int seq, out var payload, 100) != ReceiveResult.Message)
                    return;
                ep.SendPong(seq, payload);
            } }
            """ },
        { "borrowed parameter is not ours to free", """
            class C { int M(ExBuffer b) {
                Work();
                return b.Length;
            } }
            """ },
        { "out parameter handed to the caller", """
            class C { void M(out ExBuffer b) {
                b = ExBuffer.Allocate(8);
                b[0] = 1;
            } }
            """ },
        { "a using releases a buffer", """
            class C { long M() {
                using (var b = ExBuffer.Allocate(8))
                {
                    b.WriteInt64(0, 7);
                    return b.ReadInt64(0);
                }
            } }
            """ },
        { "a using declaration releases a buffer and an endpoint", """
            class C { void M() {
                using var b = ExBuffer.Allocate(8);
                EchoContract.NewChannel(out var imp, out var exp);
                using (imp) { b[0] = 1; }
                exp.Close();
            } }
            """ },
        { "Dispose called directly releases", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                b.Dispose();
            } }
            """ },
    };

    [Theory, MemberData(nameof(UseAfterTransfer))] public Task Sing0001(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(UseAfterTransferClean))] public Task Sing0001Clean(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(DoubleTransfer))] public Task Sing0002(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(DoubleTransferClean))] public Task Sing0002Clean(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(Leaks))] public Task Sing0003(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(LeaksClean))] public Task Sing0003Clean(string name, string source) { _ = name; return Harness.Verify(source); }
}
