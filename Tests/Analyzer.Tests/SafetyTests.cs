namespace Singularity.Tests.Analyzer;

/// <summary>SING0008 unsafe code, SING0009 mutable statics, SING0010 reflection and interop.</summary>
public class SafetyTests
{
    public static TheoryData<string, string> Unsafe => new()
    {
        { "unsafe block", """
            class C { void M() {
                unsafe { } //!SING0008
            } }
            """ },
        { "pointer in an unsafe method", """
            class C {
                unsafe int M(int x) { //!SING0008
                    int* p = &x; //!SING0008 SING0008
                    return *p; //!SING0008
                }
            }
            """ },
        { "stackalloc into a span", """
            class C { int M() {
                Span<byte> s = stackalloc byte[16]; //!SING0008
                return s.Length;
            } }
            """ },
        { "fixed statement", """
            class C { unsafe void M(byte[] a) { //!SING0008
                fixed (byte* p = a) { } //!SING0008 SING0008
            } }
            """ },
        { "function pointer", """
            unsafe class C { //!SING0008
                delegate*<int, int> f; //!SING0008
            }
            """ },
        { "fixed-size buffer", """
            unsafe struct S { //!SING0008
                fixed byte data[16]; //!SING0008
            }
            """ },
        { "Unsafe class", """
            class C { int M(object o) {
                return System.Runtime.CompilerServices.Unsafe.SizeOf<long>(); //!SING0008
            } }
            """ },
    };

    public static TheoryData<string, string> UnsafeClean => new()
    {
        { "safe arithmetic", """
            class C { int M(int[] a) { int s = 0; foreach (var x in a) s += x; return s; } }
            """ },
        { "sizeof of a primitive", """
            class C { int M() => sizeof(long); }
            """ },
        { "identifiers that look like keywords", """
            class C { int @unsafe; int fixedCount; void M() { @unsafe = fixedCount; } }
            """ },
        { "spans over arrays", """
            class C { int M() { Span<byte> s = new byte[16]; return s.Length; } }
            """ },
        { "strings mentioning unsafe", """
            class C { string M() => "unsafe fixed stackalloc"; }
            """ },
    };

    public static TheoryData<string, string> MutableStatics => new()
    {
        { "in a SIP type under namespace Singularity", """
            namespace Singularity.Channels { class Mine { static int counter; } } //!SING0009
            """ },
        { "static counter", """
            class C { static int counter; } //!SING0009
            """ },
        { "static readonly array", """
            class C { static readonly int[] Table = { 1, 2, 3 }; } //!SING0009
            """ },
        { "static auto-property with a setter", """
            class C { public static string Name { get; set; } } //!SING0009
            """ },
        { "static readonly list", """
            class C { static readonly List<int> Items = new(); } //!SING0009
            """ },
        { "static event", """
            class C { public static event Action Changed; } //!SING0009
            """ },
        { "static readonly of a mutable class", """
            sealed class Box { public int Value; }
            class C { static readonly Box Shared = new Box(); } //!SING0009
            """ },
    };

    public static TheoryData<string, string> MutableStaticsClean => new()
    {
        { "const", """
            class C { const int Max = 10; const string Name = "x"; }
            """ },
        { "static readonly primitives and strings", """
            class C { static readonly int Size = 4; static readonly string Greeting = "hi"; static readonly long Big = 1L << 40; }
            """ },
        { "static readonly enum and delegate", """
            enum Mode { A, B }
            class C { static readonly Mode Default = Mode.B; static readonly Func<int, int> Twice = x => x * 2; }
            """ },
        { "static readonly immutable class", """
            sealed class Point { public readonly int X, Y; public Point(int x, int y) { X = x; Y = y; } }
            class C { static readonly Point Origin = new Point(0, 0); }
            """ },
        { "get-only static auto-property", """
            class C { public static int Answer { get; } = 42; }
            """ },
        { "instance fields", """
            class C { int count; int[] table = new int[4]; }
            """ },
    };

    public static TheoryData<string, string> Reflection => new()
    {
        { "GetMethod", """
            class C { object M() => typeof(C).GetMethod("M"); } //!SING0010
            """ },
        { "Type.GetType", """
            class C { Type M() => Type.GetType("C"); } //!SING0010
            """ },
        { "Activator", """
            class C { object M() => Activator.CreateInstance(typeof(C)); } //!SING0010
            """ },
        { "DllImport", """
            using System.Runtime.InteropServices;
            class C {
                [DllImport("libc")] //!SING0010
                static extern int getpid(); //!SING0010
            }
            """ },
        { "Marshal", """
            class C { int M() => System.Runtime.InteropServices.Marshal.SizeOf<int>(); } //!SING0010
            """ },
        { "dynamic", """
            class C { object M(object o) {
                dynamic d = o;
                return d.Foo; //!SING0010
            } }
            """ },
        { "UnmanagedCallersOnly", """
            using System.Runtime.InteropServices;
            class C {
                [UnmanagedCallersOnly] //!SING0010
                static int Callback() => 0;
            }
            """ },
    };

    public static TheoryData<string, string> ReflectionClean => new()
    {
        { "typeof and names", """
            class C { string M() => typeof(C).Name + nameof(M); }
            """ },
        { "GetType on an object", """
            class C { bool M(object o) => o.GetType() == typeof(C); }
            """ },
        { "attributes that are not interop", """
            class C { [Obsolete] void M() { } }
            """ },
        { "plain method calls", """
            class C { string M(int x) => x.ToString() + Math.Max(x, 3); }
            """ },
        { "an interface with an Invoke method", """
            interface IRunner { void Invoke(); }
            class C { void M(IRunner r) => r.Invoke(); }
            """ },
    };

    public static TheoryData<string, string> Layouts => new()
    {
        { "overlaying a runtime struct", """
            using System.Runtime.InteropServices;
            [StructLayout(LayoutKind.Explicit)] struct Overlay {
                [FieldOffset(0)] public MessageFrame Frame;
                [FieldOffset(0)] public long Forged; //!SING0011
            }
            """ },
        { "the layout kind written as a number", """
            using System.Runtime.InteropServices;
            [StructLayout((LayoutKind)2)] struct Overlay {
                [FieldOffset(0)] public MessageFrame Frame;
                [FieldOffset(2)] public short Forged; //!SING0011
            }
            """ },
        { "overlapping a reference", """
            using System.Runtime.InteropServices;
            [StructLayout(LayoutKind.Explicit)] struct U {
                [FieldOffset(0)] public object O;
                [FieldOffset(0)] public long L; //!SING0011
            }
            """ },
        { "own struct holding a runtime struct", """
            using System.Runtime.InteropServices;
            struct Mine { public int Tag; public MessageFrame F; }
            [StructLayout(LayoutKind.Explicit)] struct U {
                [FieldOffset(0)] public Mine M;
                [FieldOffset(4)] public int X; //!SING0011
            }
            """ },
        { "a generic field", """
            using System.Runtime.InteropServices;
            [StructLayout(LayoutKind.Explicit)] struct G<T> {
                [FieldOffset(0)] public T A; //!SING0011
                [FieldOffset(0)] public int B;
            }
            """ },
    };

    public static TheoryData<string, string> LayoutsClean => new()
    {
        { "a union of numbers", """
            using System.Runtime.InteropServices;
            struct Rgb { public byte R, G, B, A; }
            [StructLayout(LayoutKind.Explicit)] struct Pixel {
                [FieldOffset(0)] public int Packed;
                [FieldOffset(0)] public Rgb Parts;
                [FieldOffset(0)] public float F;
                [FieldOffset(8)] public string Name;
                [FieldOffset(16)] public MessageFrame Alone;
            }
            """ },
        { "sequential layout", """
            using System.Runtime.InteropServices;
            [StructLayout(LayoutKind.Sequential)] struct S { public object O; public long L; public MessageFrame B; }
            """ },
    };

    [Theory, MemberData(nameof(Layouts))] public Task Sing0011(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(LayoutsClean))] public Task Sing0011Clean(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(Unsafe))] public Task Sing0008(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(UnsafeClean))] public Task Sing0008Clean(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(MutableStatics))] public Task Sing0009(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(MutableStaticsClean))] public Task Sing0009Clean(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(Reflection))] public Task Sing0010(string name, string source) { _ = name; return Harness.Verify(source); }
    [Theory, MemberData(nameof(ReflectionClean))] public Task Sing0010Clean(string name, string source) { _ = name; return Harness.Verify(source); }
}
