using Singularity.Verifier;

namespace Singularity.Tests.Verifier;

/// <summary>No false rejects: every SIP of the project, and safe C# of every common shape, verifies.</summary>
public class AcceptTests
{
    /// <summary>Every SIP project (SIPs/ and Tests/TestSips/) that does not opt out with SipVerify=false.</summary>
    public static TheoryData<string> SipProjects()
    {
        var data = new TheoryData<string>();
        foreach (var dir in new[] { "SIPs", Path.Combine("Tests", "TestSips") })
            foreach (var proj in Directory.GetFiles(Path.Combine(Support.Root, dir), "*.csproj", SearchOption.AllDirectories).OrderBy(x => x))
                data.Add(Path.GetRelativePath(Support.Root, proj));
        return data;
    }

    private static bool OptsOut(string proj) => File.ReadAllText(proj).Contains("<SipVerify>false</SipVerify>");

    [Theory]
    [MemberData(nameof(SipProjects))]
    public void SipSourcesVerify(string project)
    {
        var proj = Path.Combine(Support.Root, project);
        var dir = Path.GetDirectoryName(proj);
        var text = File.ReadAllText(proj);
        var sources = Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));
        // Linked sources (<Compile Include="..."/>) and referenced SIP libraries (contracts, Libraries/*), as the SIP build has them.
        var doc = System.Xml.Linq.XDocument.Parse(text);
        var linked = doc.Descendants("Compile").Select(e => (string)e.Attribute("Include")).Where(x => x != null).Select(x => Path.GetFullPath(Path.Combine(dir, x)))
            .SelectMany(x => x.Contains('*') ? Directory.GetFiles(Path.GetDirectoryName(x), Path.GetFileName(x)) : new[] { x });
        var refs = new List<string>();
        foreach (var pr in doc.Descendants("ProjectReference"))
        {
            if ((string)pr.Attribute("OutputItemType") == "Analyzer" || (string)pr.Attribute("ReferenceOutputAssembly") == "false") continue;
            var include = Path.GetFullPath(Path.Combine(dir, (string)pr.Attribute("Include")));
            var room = Path.GetRelativePath(Support.Root, include).Split(Path.DirectorySeparatorChar)[0];
            Assert.True(room is "Contracts" or "Libraries", $"{project} references {include}: a SIP references only contracts and Libraries/ (SipReferenceTests)");
            var built = Support.BuiltAssembly(include);
            Assert.True(File.Exists(built), $"{built} is not built (contracts and Libraries/ are build dependencies of this project)");
            refs.Add(built);
        }
        // One syntax tree per file, as the SIP build compiles them (a file's usings are its own).
        var files = sources.OrderBy(f => f, StringComparer.Ordinal).Select(File.ReadAllText).ToList();
        var dll = Support.Compile(Path.GetFileNameWithoutExtension(proj), files[0], allowUnsafe: text.Contains("<AllowUnsafeBlocks>true</AllowUnsafeBlocks>"), exe: true, references: refs, moreSources: files.Skip(1).Concat(linked.Select(File.ReadAllText)));
        var r = Support.Verify(dll);
        if (OptsOut(proj))
        {
            // An opted-out fixture is opted out because it would be refused: keep the opt-out honest.
            Assert.Equal(1, r.ExitCode);
            return;
        }
        Assert.True(r.Verified, $"{project} is rejected:\n{string.Join("\n", r.Violations)}");
    }

    /// <summary>The IL assemblies the build produced (bin/Release of each SIP project), when a build has run.</summary>
    [Fact]
    public void BuiltSipAssembliesVerify()
    {
        int checkedCount = 0;
        var failures = new List<string>();
        foreach (string row in SipProjects())
        {
            var full = Path.Combine(Support.Root, row);
            if (OptsOut(full)) continue;
            var name = Path.GetFileNameWithoutExtension(full);
            var dll = Path.Combine(Path.GetDirectoryName(full), "bin", "Release", "net10.0", name + ".dll");
            if (!File.Exists(dll)) continue;
            checkedCount++;
            var r = AssemblyVerifier.VerifyFile(dll, Support.Options(dll));
            if (!r.Verified) failures.Add(string.Join("\n", r.Violations));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // Nothing built yet is not a failure here: SipSourcesVerify compiles every SIP itself.
    }

    public static readonly TheoryData<string> SafeShapes = new()
    {
        // Classes, inheritance, virtual and interface calls, properties.
        """
        public interface IShape { int Area(); }
        public abstract class Shape : IShape { public abstract int Area(); public virtual string Name => "shape"; }
        public sealed class Rect : Shape { private readonly int _w, _h; public Rect(int w, int h) { _w = w; _h = h; } public override int Area() => _w * _h; public override string Name => "rect"; }
        public sealed class Square : Shape { public int Side { get; set; } public override int Area() => Side * Side; }
        public static class P
        {
            public static int Sum(IShape[] shapes) { int s = 0; for (int i = 0; i < shapes.Length; i++) s += shapes[i].Area(); return s; }
            public static IShape Pick(bool a) => a ? new Rect(1, 2) : new Square { Side = 3 };
            public static Shape PickShape(bool a) { Shape s; if (a) s = new Rect(1, 2); else s = new Square(); return s; }
            public static string Describe(object o) => o is Shape s ? s.Name : o?.ToString() ?? "null";
        }
        """,
        // Structs, ref/out/in parameters, readonly structs, enums, switch.
        """
        public enum Color { Red, Green, Blue }
        public struct Point { public int X, Y; public void Move(int d) { X += d; Y += d; } public readonly int Sum() => X + Y; }
        public readonly struct Pair { public readonly int A; public readonly long B; public Pair(int a, long b) { A = a; B = b; } public long Total => A + B; }
        public static class P
        {
            public static void Swap(ref int a, ref int b) { int t = a; a = b; b = t; }
            public static bool TryParse(string s, out int v) { v = 0; if (s == null) return false; for (int i = 0; i < s.Length; i++) { char c = s[i]; if (c < '0' || c > '9') return false; v = v * 10 + (c - '0'); } return true; }
            public static int Read(in Point p) => p.X + p.Sum();
            public static ref int First(int[] a) => ref a[0];
            public static int Use() { var p = new Point(); p.Move(2); Point[] ps = new Point[2]; ps[1].Move(3); ref int f = ref First(new int[3]); f = 4; return p.X + ps[1].Y + f; }
            public static string Name(Color c) => c switch { Color.Red => "red", Color.Green => "green", _ => "blue" };
            public static long Total(Pair p) => p.Total;
            public static int Big(int x) { switch (x) { case 0: return 10; case 1: return 11; case 2: return 12; case 5: return 15; default: return -1; } }
        }
        """,
        // Exceptions: try/catch/finally, filters, rethrow, nested handlers, using.
        """
        public sealed class Res : System.IDisposable { public bool Closed; public void Dispose() { Closed = true; } }
        public static class P
        {
            public static int F(int x)
            {
                int r = 0;
                try { if (x == 0) throw new System.InvalidOperationException("zero"); r = 10 / x; }
                catch (System.InvalidOperationException e) when (e.Message == "zero") { r = -1; }
                catch (System.Exception) { r = -2; }
                finally { r++; }
                using (var res = new Res()) { r += res.Closed ? 1 : 0; }
                try { try { r++; } finally { r++; } } catch { throw; }
                return r;
            }
        }
        """,
        // Generics, delegates, lambdas and closures, static lambdas (the compiler's cache).
        """
        using System;
        public sealed class Box<T> { private T _v; public Box(T v) { _v = v; } public T Get() => _v; public void Set(T v) { _v = v; } public TR Map<TR>(Func<T, TR> f) => f(_v); }
        public static class List { public static T[] Grow<T>(T[] a) { var b = new T[a.Length * 2 + 1]; for (int i = 0; i < a.Length; i++) b[i] = a[i]; return b; } }
        public static class P
        {
            public static int F()
            {
                var b = new Box<int>(4);
                int captured = 3;
                Func<int, int> add = x => x + captured;
                Action noop = () => { };
                noop();
                captured++;
                var s = new Box<string>("x");
                string[] grown = List.Grow(new[] { "a" });
                return b.Map(add) + s.Map(v => v.Length) + grown.Length;
            }
            public static T Id<T>(T x) => x;
            public static bool Eq<T>(T a, T b) where T : class => a == b;
            public static int Count<T>(T[] xs, Func<T, bool> p) { int n = 0; for (int i = 0; i < xs.Length; i++) if (p(xs[i])) n++; return n; }
        }
        """,
        // Strings, arrays (jagged, multi-purpose), constants and readonly statics of immutable values.
        """
        public static class P
        {
            private const int Max = 10;
            private static readonly string s_name = "p";
            private static readonly int s_limit = Max * 2;
            public static string F(int n)
            {
                var parts = new string[n];
                for (int i = 0; i < n; i++) parts[i] = i.ToString();
                int[][] jag = new int[2][];
                jag[0] = new int[] { 1, 2, 3 };
                jag[1] = new int[0];
                byte[] data = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 };
                char c = s_name[0];
                return string.Concat(parts) + s_name + (jag[0][2] + data[16] + s_limit + c).ToString();
            }
            public static object Boxed(int x) { object o = x; return (int)o + 1; }
            public static long Mix(int a, long b, double d, float f, uint u, ulong ul, short sh, byte by) => a + b + (long)d + (long)f + u + (long)ul + sh + by;
            public static bool Cmp(object a, string b) => a == (object)b || a != null;
        }
        """,
        // Ownership done right: free, send, return, out, TRef, null checks, loops.
        """
        using Singularity.Channels;
        public sealed class Holder { private readonly TRef<Ping.Imp> _ep; public Holder([Claims] Ping.Imp ep) { _ep = new TRef<Ping.Imp>(ep); } public void Use() { var ep = _ep.Acquire(); ep.SendHi(1, ExBuffer.Allocate(4)); _ep.Release(ep); } }
        public static class P
        {
            public static void Free() { var b = ExBuffer.Allocate(8); int n = b.Length; b.Free(); }
            public static void Send(Ping.Imp ep) { var b = ExBuffer.Allocate(8); ep.SendHi(b.Length, b); }
            public static ExBuffer Make() { var b = ExBuffer.Allocate(8); return b; }
            public static void MakeOut(out ExBuffer b) { b = ExBuffer.Allocate(2); }
            public static void Take([Claims] ExBuffer b) { b.Free(); }
            public static void Maybe(bool c) { ExBuffer b = default; if (c) b = ExBuffer.Allocate(1); if (!b.IsNull) b.Free(); }
            public static void Loop() { for (int i = 0; i < 10; i++) { var b = ExBuffer.Allocate(i + 1); Take(b); } }
            public static void Channel() { Ping.NewChannel(out var imp, out var exp); imp.Close(); exp.Close(); }
            public static void Branches(bool c) { var b = ExBuffer.Allocate(8); if (c) { b.Free(); } else { Take(b); } }
            public static int Borrow(ExBuffer b) => b.Length;
            public static void Pass() { MakeOut(out var x); Borrow(x); x.Free(); }
            public static void Keep(Ping.Imp ep) { if (ep != null) ep.SendHi(0, ExBuffer.Allocate(1)); }
            public static Holder Wrap() { Ping.NewChannel(out var imp, out var exp); exp.Close(); return new Holder(imp); }
        }
        """,
        // The manifest attributes.
        """
        [assembly: Singularity.SipManifest("echo", HeapQuotaMiB = 4)]
        [assembly: Singularity.Imports(typeof(Singularity.Contracts.Testing.Ping.Imp), "/service/ping")]
        [assembly: Singularity.Exports(typeof(Singularity.Contracts.Testing.Ping.Exp), "/service/echo")]
        public static class P { }
        """,
    };

    [Theory]
    [MemberData(nameof(SafeShapes))]
    public void SafeCodeVerifies(string source)
    {
        var dll = Support.Compile("Safe", source, channels: source.Contains("Singularity.Channels") || source.Contains("Singularity.Contracts.Testing"));
        var r = Support.Verify(dll);
        Assert.True(r.Verified, string.Join("\n", r.Violations));
    }

    [Fact]
    public void ManifestIsExtracted()
    {
        var dll = Support.Compile("Driver", """
            [assembly: Singularity.SipManifest("e1000", 8)]
            [assembly: Singularity.Imports(typeof(Singularity.Contracts.Testing.Ping.Imp), "/service/ping")]
            [assembly: Singularity.Exports(typeof(Singularity.Contracts.Testing.Ping.Exp), "/dev/nic0")]
            [assembly: Singularity.Device(0x8086, 0x100e)]
            [assembly: Singularity.IoPorts(0xc000, 64)]
            [assembly: Singularity.IoMemory(0xfebc0000, 0x20000)]
            [assembly: Singularity.Irq(11)]
            public static class P { }
            """, channels: true);
        var r = Support.Verify(dll);
        Assert.True(r.Verified, string.Join("\n", r.Violations));
        var m = r.Manifest;
        Assert.Equal("e1000", m.Name);
        Assert.Equal(8, m.HeapQuotaMiB);
        Assert.Equal("pci/ven_8086&dev_100e", m.Device);
        Assert.Equal(new ManifestEndpoint("Singularity.Contracts.Testing.Ping/Imp", "Singularity.Contracts.Testing.Ping", "/service/ping"), m.Imports.Single());
        Assert.Equal("/dev/nic0", m.Exports.Single().Path);
        Assert.Equal(new ManifestRange(0xc000, 64), m.IoPorts.Single());
        Assert.Equal(new ManifestRange(0xfebc0000, 0x20000), m.IoMemory.Single());
        Assert.Equal(11, m.Irqs.Single());
        Assert.Contains("\"device\": \"pci/ven_8086\\u0026dev_100e\"", m.ToJson());
    }

    [Fact]
    public void DriverLibraryIsAcceptedInADriver()
    {
        var dll = Support.Compile("Driver", """
            [assembly: Singularity.Device("isa/test")]
            [assembly: Singularity.IoPorts(0x80, 1)]
            public static class P
            {
                public static int F()
                {
                    var ports = Singularity.Drivers.IoPortRange.Granted(0);
                    return ports == null ? -1 : ports.Read8(0);
                }
            }
            """);
        var r = Support.Verify(dll);
        Assert.True(r.Verified, string.Join("\n", r.Violations));
        Assert.Equal("isa/test", r.Manifest.Device);
    }
}
