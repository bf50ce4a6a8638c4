namespace Singularity.Tests.Analyzer;

/// <summary>SING0004 tracked values in GC objects and statics, SING0005 captures, async methods and iterators.</summary>
public class HeapAndCaptureTests
{
    public static TheoryData<string, string> Stored => new()
    {
        { "a generic container of the core library", """
            class C { void M() {
                var list = new List<ExBuffer>(); //!SING0004
                var b = ExBuffer.Allocate(8);
                list.Add(b); //!SING0004 SING0003
                b.Free();
            } }
            """ },
        { "a generic class of the SIP's own", """
            class Box<T> { public T Value; }
            class C { void M() {
                var box = new Box<EchoContract.Imp>(); //!SING0004
            } }
            """ },
        { "a generic method of the SIP's own", """
            class C {
                static T Same<T>(T value) => value;
                void M() {
                    var b = Same(ExBuffer.Allocate(8)); //!SING0004 SING0003
                    b.Free();
                }
            }
            """ },
        { "instance field", """
            class Server
            {
                ExBuffer buffer; //!SING0004
                void M() { buffer = ExBuffer.Allocate(8); } //!SING0004
            }
            """ },
        { "static field", """
            static class Cache
            {
                static readonly object gate = null; //!SING0009
                public static EchoContract.Imp Client; //!SING0004 SING0009
            }
            """ },
        { "array element", """
            class C { void M(ExBuffer[] slots) {
                var b = ExBuffer.Allocate(8);
                slots[0] = b; //!SING0004
            } }
            """ },
        { "property in an object initializer", """
            class Holder { public EchoContract.Exp Ep { get; set; } } //!SING0004
            class C { Holder M() {
                EchoContract.NewChannel(out var imp, out var exp);
                imp.Close();
                return new Holder { Ep = exp }; //!SING0003 SING0004
            } }
            """ },
        { "array of endpoints kept in a local", """
            class C { int M([Claims] EchoContract.Imp a, [Claims] EchoContract.Imp b) {
                var set = new Endpoint[] { a, b }; //!SING0004
                return EndpointSet.Select(set, -1);
            } }
            """ },
        { "a span of exchange blocks (a type argument)", """
            class C { int M(ExBuffer[] blocks) {
                Span<ExBuffer> s = blocks; //!SING0004
                return s.Length;
            } }
            """ },
        { "field of another object", """
            class Node { public ExBuffer Data; } //!SING0004
            class C { void M(Node n) {
                var b = ExBuffer.Allocate(8);
                n.Data = b; //!SING0004
            } }
            """ },
    };

    public static TheoryData<string, string> StoredClean => new()
    {
        { "a generic container of owners (TRef) is fine", """
            class C { int M() {
                var list = new List<TRef<EchoContract.Imp>>();
                return list.Count;
            } }
            """ },
        { "TRef field", """
            class Server
            {
                [State("Start")] readonly TRef<EchoContract.Exp> ep;
                Server([Claims][State("Start")] EchoContract.Exp e) { ep = new TRef<EchoContract.Exp>(e); }
                void Poke()
                {
                    var e = ep.Acquire();
                    ep.Release(e);
                }
            }
            """ },
        { "endpoint set passed straight to Select", """
            class C { int M(EchoContract.Imp a, EchoContract.Imp b) {
                return EndpointSet.Select(new Endpoint[] { a, b }, -1);
            } }
            """ },
        { "plain data in fields", """
            class Stats
            {
                int count;
                long bytes;
                void Add(ExBuffer b) { count++; bytes += b.Length; }
            }
            """ },
        { "struct local of tracked values", """
            class C { void M() {
                var b = ExBuffer.Allocate(4);
                var n = b.Length;
                b.Free();
            } }
            """ },
        { "spans over arrays and strings", """
            ref struct Reader
            {
                ReadOnlySpan<char> rest;
                public Reader(string s) { rest = s.AsSpan(); }
                public int Next() { int i = rest.IndexOf(','); if (i < 0) i = rest.Length; int n = i; rest = rest.Slice(Math.Min(i + 1, rest.Length)); return n; }
            }
            class C { int M(byte[] data, ExBuffer b) {
                Span<byte> s = data.AsSpan(1);
                s.Slice(0, 2).Fill(7);
                int sum = b.Length;
                foreach (ref byte x in s) sum += x;
                var r = new Reader("ab,c");
                return sum + r.Next() + s.IndexOf((byte)7);
            } }
            """ },
        { "byte arrays are fine", """
            class C { byte[] M() {
                var b = ExBuffer.Allocate(4);
                var copy = new byte[4];
                b.CopyTo(copy, 0);
                b.Free();
                return copy;
            } }
            """ },
    };

    public static TheoryData<string, string> Captured => new()
    {
        { "lambda", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                Func<int> f = () => b.Length; //!SING0005
                b.Free();
            } }
            """ },
        { "local function", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                int Len() => b.Length; //!SING0005
                Log(Len().ToString()); //!SING0003
                b.Free();
            } }
            """ },
        { "anonymous method", """
            class C { void M(EchoContract.Imp ep) {
                Action a = delegate { ep.Close(); }; //!SING0005
            } }
            """ },
        { "async method", """
            using System.Threading.Tasks;
            class C { async Task M() {
                var b = ExBuffer.Allocate(8); //!SING0005
                await Task.Yield();
                b.Free(); //!SING0005
            } }
            """ },
        { "iterator", """
            class C { IEnumerable<int> M(ExBuffer b) {
                yield return b.Length; //!SING0005
            } }
            """ },
        { "nested lambda", """
            class C { void M() {
                Action outer = () =>
                {
                    var b = ExBuffer.Allocate(1);
                    Action inner = () => Use(b); //!SING0005
                    b.Free();
                };
            } }
            """ },
    };

    public static TheoryData<string, string> CapturedClean => new()
    {
        { "lambda with its own buffer", """
            class C { void M() {
                Action a = () =>
                {
                    var b = ExBuffer.Allocate(8);
                    b.Free();
                };
            } }
            """ },
        { "static local function with a claimed parameter", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                Done(b);
                static void Done([Claims] ExBuffer x) { x.Free(); }
            } }
            """ },
        { "capturing plain data", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                int n = b.Length;
                Func<int> f = () => n * 2;
                b.Free();
            } }
            """ },
        { "async method without tracked values", """
            using System.Threading.Tasks;
            class C { async Task<int> M() {
                await Task.Yield();
                return 1;
            } }
            """ },
        { "iterator over plain data", """
            class C { IEnumerable<int> M(int n) {
                for (int i = 0; i < n; i++) yield return i;
            } }
            """ },
    };

    [Theory, MemberData(nameof(Stored))] public Task Sing0004(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(StoredClean))] public Task Sing0004Clean(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(Captured))] public Task Sing0005(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(CapturedClean))] public Task Sing0005Clean(string name, string source) { _ = name; return Harness.Verify(source); }
}
