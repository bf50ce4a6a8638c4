using Singularity.Verifier;

namespace Singularity.Tests.Verifier;

/// <summary>SIPs written in C# (some with /unsafe) that the verifier must refuse, each with its code.</summary>
public class CSharpRejectTests
{
    public static readonly TheoryData<string, string, bool> Cases = new()
    {
        // name, expected code, source (compiled as a library; 'unsafe' marks /unsafe)
        { "SV0101", "unsafe struct S { public int* P; } public static class P { }", true },
        { "SV0101", "public static unsafe class P { public static int Read(int* p) => 0; }", true },
        { "SV0101", "public static unsafe class P { public static void Call(delegate*<void> f) { } }", true },
        { "SV0102", "public static unsafe class P { public static int F() { int* p = stackalloc int[4]; return p[0]; } }", true },
        { "SV0102", "public static unsafe class P { public static int F(long a) { return *(int*)a; } }", true },
        { "SV0102", "public static class P { public static void F() { int x = 1; System.TypedReference r = __makeref(x); } }", false },
        { "SV0102", "public static unsafe class P { public static void F(ref int x) { fixed (int* p = &x) { } } }", true },
        { "SV0103", "using System.Runtime.InteropServices; public static class P { [DllImport(\"libc\")] public static extern int getpid(); }", false },
        { "SV0104", "using System.Runtime.CompilerServices; public static class P { [MethodImpl(MethodImplOptions.InternalCall)] public static extern void F(); }", false },
        { "SV0104", "public static class P { public static extern void F(); }", false },
        { "SV0105", "namespace System.Runtime { public sealed class RuntimeImportAttribute : System.Attribute { public RuntimeImportAttribute(string a, string b) { } } } public static class P { [System.Runtime.RuntimeImport(\"*\", \"x\")] public static void F() { } }", false },
        { "SV0105", "using System.Runtime.InteropServices; public static class P { [UnmanagedCallersOnly] public static void F() { } }", false },
        { "SV0106", "public static class P { private static int s_count; public static void F() { s_count++; } }", false },
        { "SV0106", "public static class P { private static readonly int[] s_table = { 1, 2, 3 }; public static int F() => s_table[0]; }", false },
        { "SV0106", "public sealed class Cell { public int V; } public static class P { private static readonly Cell s_cell = new Cell(); public static void F() { s_cell.V++; } }", false },
        { "SV0106", "public static class P { private static readonly object s_o = new object(); public static object F() => s_o; }", false },
        { "SV0106", "public static class P { private static readonly System.Action s_a = () => { }; public static void F() => s_a(); }", false },
        { "SV0110", "public static unsafe class P { public static void F() { System.Buffer.MemoryCopy(null, null, 0, 0); } }", true },
        { "SV0110", "public static class P { public static bool F() => System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<int>(); }", false },
        { "SV0112", "using System.Runtime.InteropServices; [StructLayout(LayoutKind.Explicit)] public struct U { [FieldOffset(0)] public object O; [FieldOffset(0)] public long L; }", false },
        // Ownership of tracked values (exchange-heap blocks and endpoints).
        { "SV0301", "using Singularity.Channels; public static class P { public static int F() { var b = ExBuffer.Allocate(8); b.Free(); return b.Length; } }", false },
        { "SV0301", "using Singularity.Channels; public static class P { public static void F(Ping.Imp ep) { var b = ExBuffer.Allocate(8); ep.SendHi(1, b); int n = b.Length; } }", false },
        { "SV0302", "using Singularity.Channels; public static class P { public static void F() { var b = ExBuffer.Allocate(8); b.Free(); b.Free(); } }", false },
        { "SV0302", "using Singularity.Channels; public static class P { public static void F(Ping.Imp ep) { var b = ExBuffer.Allocate(8); ep.SendHi(1, b); ep.SendHi(2, b); } }", false },
        { "SV0303", "using Singularity.Channels; public static class P { public static void F() { var b = ExBuffer.Allocate(8); } }", false },
        { "SV0303", "using Singularity.Channels; public static class P { public static void F(bool c) { var b = ExBuffer.Allocate(8); if (c) b.Free(); } }", false },
        { "SV0303", "using Singularity.Channels; public static class P { public static void F() { for (int i = 0; i < 4; i++) { var b = ExBuffer.Allocate(8); } } }", false },
        { "SV0303", "using Singularity.Channels; public static class P { public static void F() { Ping.NewChannel(out var imp, out var exp); imp.Close(); } }", false },
        { "SV0303", "using Singularity.Channels; public static class P { public static void F() { var b = ExBuffer.Allocate(8); throw new System.InvalidOperationException(); } }", false },
        { "SV0304", "using Singularity.Channels; public sealed class Holder { public ExBuffer B; } public static class P { public static void F(Holder h) { h.B = ExBuffer.Allocate(8); } }", false },
        { "SV0304", "using Singularity.Channels; public sealed class Holder { public Ping.Imp E; } public static class P { public static void F(Holder h) { Ping.NewChannel(out var imp, out var exp); exp.Close(); h.E = imp; } }", false },
        { "SV0304", "using Singularity.Channels; public static class P { public static object F() { var b = ExBuffer.Allocate(8); return b; } }", false },
        { "SV0304", "using Singularity.Channels; public static class P { public static System.Func<int> F() { var b = ExBuffer.Allocate(8); return () => b.Length; } }", false },
        { "SV0304", "using Singularity.Channels; public static class P { public static void F(ExBuffer[] a) { a[0] = ExBuffer.Allocate(8); } }", false },
        { "SV0304", "using Singularity.Channels; public sealed class Box<T> { public T V; } public static class P { public static void F() { var b = new Box<ExBuffer>(); b.V = ExBuffer.Allocate(8); } }", false },
        { "SV0304", "using Singularity.Channels; public static class P { static T Id<T>(T v) => v; public static void F() { var b = Id(ExBuffer.Allocate(8)); b.Free(); } }", false },
        { "SV0304", "using Singularity.Channels; public static class P { public static int F() { var l = new System.Collections.Generic.List<ExBuffer>(); var b = ExBuffer.Allocate(8); l.Add(b); b.Free(); return l.Count; } }", false },
        { "SV0305", "using Singularity.Channels; public static class P { public static void F(ExBuffer b) { b.Free(); } }", false },
        { "SV0305", "using Singularity.Channels; public static class P { public static void F(Ping.Imp ep, ExBuffer b) { ep.SendHi(1, b); } }", false },
        { "SV0305", "using Singularity.Channels; public static class P { public static void F(ref ExBuffer b) { b.Free(); } }", false },
        { "SV0305", "using Singularity.Channels; public static class P { public static void F(Ping.Imp ep, ref ExBuffer b) { ep.SendHi(1, b); } }", false },
        { "SV0305", "using Singularity.Channels; public static class P { public static void F(ref ExBuffer b) { var copy = b; copy.Free(); } }", false },
        // The manifest.
        { "SV0401", "[assembly: Singularity.SipManifest(\"bad name!\")] public static class P { }", false },
        { "SV0401", "[assembly: Singularity.SipManifest(\"quota\", 0)] public static class P { }", false },
        { "SV0401", "[assembly: Singularity.IoPorts(0x3f8, 8)] public static class P { }", false },
        { "SV0402", "[assembly: Singularity.Imports(typeof(string), \"/service/x\")] public static class P { }", false },
        // The driver library without a [Device].
        { "SV0403", "public static class P { public static object F() => Singularity.Drivers.IoPortRange.Granted(0); }", false },
        { "SV0403", "public static class P { public static uint F(Singularity.Drivers.IoMemoryRange r) => r.Read32(0); }", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rejected(string code, string source, bool allowUnsafe)
    {
        var dll = Support.Compile("Case", source, allowUnsafe, channels: source.Contains("Singularity.Channels"));
        var r = Support.Verify(dll);
        Assert.True(r.ExitCode == 1, $"expected rejection with {code}, got exit {r.ExitCode}:\n{string.Join("\n", r.Violations)}");
        Assert.Contains(r.Violations, v => v.Code == code);
    }

    [Fact]
    public void ForbiddenAssemblyReference()
    {
        var dir = Support.NewDir();
        var evil = Support.Compile("Evil", "public static class Helper { public static int F() => 1; }", dir: dir);
        var dll = Support.Compile("Case", "public static class P { public static int F() => Helper.F(); }", dir: dir, references: new[] { evil });
        var r = Support.Verify(dll);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(r.Violations, v => v.Code == "SV0107" && v.Message.Contains("Evil"));
    }

    [Fact]
    public void TrustedAssemblyNameIsRefused()
    {
        var dll = Support.Compile("Singularity.Runtime", "public static class P { }", dir: Support.NewDir());
        var r = AssemblyVerifier.VerifyFile(dll, new VerifierOptions { ReferencePaths = { Support.Corlib } });
        Assert.Contains(r.Violations, v => v.Code == "SV0114");
    }

    [Fact]
    public void IgnoresAccessChecksToIsRefused()
    {
        var dll = Support.Compile("Case", "[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo(\"Singularity.Corlib\")] namespace System.Runtime.CompilerServices { [System.AttributeUsage(System.AttributeTargets.Assembly, AllowMultiple = true)] public sealed class IgnoresAccessChecksToAttribute : System.Attribute { public IgnoresAccessChecksToAttribute(string a) { } } }");
        var r = Support.Verify(dll);
        Assert.Contains(r.Violations, v => v.Code == "SV0114");
    }

    [Fact]
    public void ViolationLineFormat()
    {
        var dll = Support.Compile("Fmt", "using Singularity.Channels; namespace N { public static class P { public static void F() { var b = ExBuffer.Allocate(8); b.Free(); b.Free(); } } }", channels: true);
        var r = Support.Verify(dll);
        var line = r.Violations.Single(v => v.Code == "SV0302").ToString();
        Assert.Matches(@"^Fmt\.dll: SV0302: N\.P::F at IL_[0-9a-f]{4}: .+", line);
    }
}
