using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Singularity.Verifier;

namespace Singularity.Tests.Verifier;

/// <summary>Builds SIP assemblies at test time (Roslyn against our core library, or Cecil) and verifies them.</summary>
public static class Support
{
    public static readonly string Root = FindRoot();
    public static readonly string RuntimeDir = Path.Combine(Root, "Kernel", "SipRuntime", "bin", "Release", "net10.0");
    public static readonly string Corlib = Path.Combine(RuntimeDir, "Singularity.Corlib.dll");
    public static readonly string Runtime = Path.Combine(RuntimeDir, "Singularity.Runtime.dll");
    private static readonly string Scratch = Path.Combine(Path.GetTempPath(), "sing-verifier-tests-" + Environment.ProcessId);
    private static int s_counter;

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Singularity.sln"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository root (Singularity.sln)");
    }

    public static string NewDir()
    {
        var d = Path.Combine(Scratch, Interlocked.Increment(ref s_counter).ToString());
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>Fake channel types (matched by full name, as the verifier does), in an allowed contracts assembly.</summary>
    public const string ChannelsSource = """
        namespace Singularity.Channels
        {
            [System.AttributeUsage(System.AttributeTargets.Class | System.AttributeTargets.Struct)] public sealed class TrackedAttribute : System.Attribute { }
            [System.AttributeUsage(System.AttributeTargets.Parameter | System.AttributeTargets.Method)] public sealed class ClaimsAttribute : System.Attribute { }
            [Tracked] public readonly struct ExBuffer
            {
                private readonly int _h;
                private ExBuffer(int h) { _h = h; }
                public static ExBuffer Allocate(int n) => new ExBuffer(n);
                public int Length => _h;
                public bool IsNull => _h == 0;
                [Claims] public void Free() { }
            }
            [Tracked] public abstract class Endpoint
            {
                public bool IsClosed => false;
                [Claims] public void Close() { }
            }
            public sealed class TRef<T> where T : class
            {
                private T _v;
                public TRef([Claims] T value) { _v = value; }
                public T Acquire() { T v = _v; _v = null; return v; }
                public void Release([Claims] T value) { _v = value; }
            }
            public static class Ping
            {
                public sealed class Imp : Endpoint { public void SendHi(int x, [Claims] ExBuffer b) { b.Free(); } public ExBuffer RecvHo() => ExBuffer.Allocate(1); }
                public sealed class Exp : Endpoint { }
                public static void NewChannel(out Imp imp, out Exp exp) { imp = new Imp(); exp = new Exp(); }
            }
        }
        """;

    private static readonly Lazy<string> s_channels = new(() => Compile("Singularity.Contracts.Testing", ChannelsSource, dir: Path.Combine(Scratch, "channels")));

    public static string ChannelsAssembly => s_channels.Value;

    /// <summary>Compiles C# against Singularity.Corlib and Singularity.Runtime (and the test channel types); returns the dll path.</summary>
    public static string Compile(string name, string source, bool allowUnsafe = false, string dir = null, IEnumerable<string> references = null, bool exe = false, bool channels = false)
    {
        dir ??= NewDir();
        Directory.CreateDirectory(dir);
        var refs = new List<string> { Corlib, Runtime };
        if (channels) refs.Add(ChannelsAssembly);
        if (references != null) refs.AddRange(references);
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var comp = CSharpCompilation.Create(name,
            new[] { CSharpSyntaxTree.ParseText(source, parse) },
            refs.Select(r => MetadataReference.CreateFromFile(r)),
            new CSharpCompilationOptions(exe ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, allowUnsafe: allowUnsafe, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Disable));
        var path = Path.Combine(dir, name + ".dll");
        using (var fs = File.Create(path))
        {
            var r = comp.Emit(fs, options: new EmitOptions(runtimeMetadataVersion: "v4.0.30319"));
            var errors = r.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (!r.Success) throw new InvalidOperationException("test source does not compile:\n" + string.Join("\n", errors));
        }
        if (channels) File.Copy(ChannelsAssembly, Path.Combine(dir, Path.GetFileName(ChannelsAssembly)), true);
        return path;
    }

    public static VerifierOptions Options(string dll)
    {
        var o = new VerifierOptions();
        o.ReferencePaths.Add(RuntimeDir);
        o.ReferencePaths.Add(Path.GetDirectoryName(dll));
        return o;
    }

    public static VerificationResult Verify(string dll) => AssemblyVerifier.VerifyFile(dll, Options(dll));

    /// <summary>A class with a method whose body the test writes with Cecil. The method is Program::Crafted.</summary>
    public const string BaseSource = """
        public abstract class Shape { public abstract int Area(); public static int Count() => 0; }
        public sealed class Box : Shape
        {
            public int W;
            public readonly int H;
            public static readonly int Zero = 0;
            public Box() { H = 1; }
            public override int Area() => W * H;
            private int Secret() => 42;
            public void Take(string s) { }
        }
        public class Other { public int X; }
        public static class Program
        {
            public static int Main() => 0;
            public static void Crafted() { }
            public static int TakesInt(int x) => x;
            public static void TakesString(string s) { }
        }
        """;

    /// <summary>Compiles <see cref="BaseSource"/>, then lets <paramref name="edit"/> rewrite the module (usually Program::Crafted) and writes it.</summary>
    public static string Craft(Action<ModuleDefinition, MethodDefinition, ILProcessor> edit, string source = BaseSource)
    {
        var src = Compile("Crafted", source, exe: false);
        var dir = Path.GetDirectoryName(src);
        var outPath = Path.Combine(dir, "CraftedOut.dll");
        var rp = new ReaderParameters { AssemblyResolver = new Resolver(dir) };
        using (var module = ModuleDefinition.ReadModule(src, rp))
        {
            CecilCoreLibrary.Fix(module);
            var prog = module.Types.First(t => t.Name == "Program");
            var m = prog.Methods.First(x => x.Name == "Crafted");
            m.Body.Instructions.Clear();
            m.Body.Variables.Clear();
            m.Body.ExceptionHandlers.Clear();
            m.Body.InitLocals = true;
            var il = m.Body.GetILProcessor();
            edit(module, m, il);
            module.Write(outPath);
        }
        return outPath;
    }

    public sealed class Resolver : DefaultAssemblyResolver
    {
        public Resolver(string dir) { foreach (var d in GetSearchDirectories()) RemoveSearchDirectory(d); AddSearchDirectory(dir); AddSearchDirectory(RuntimeDir); }
    }

    public static MethodDefinition Find(ModuleDefinition module, string type, string method) => module.Types.First(t => t.Name == type).Methods.First(m => m.Name == method);

    private static readonly Lazy<ModuleDefinition> s_cor = new(() =>
    {
        var m = ModuleDefinition.ReadModule(Corlib);
        CecilCoreLibrary.Fix(m);
        return m;
    });

    /// <summary>The core library as Cecil reads it, with its own type system (so imports never name mscorlib).</summary>
    public static ModuleDefinition CorModule => s_cor.Value;

    public static TypeReference Cor(ModuleDefinition module, string name) => module.ImportReference(CorModule.Types.First(t => t.FullName == name));

    public static TypeDefinition CorDef(string name) => CorModule.Types.First(t => t.FullName == name);

    /// <summary>Rewrites the max-stack field of a method's fat header in a written file (Cecil always recomputes it).</summary>
    public static void PatchMaxStack(string dll, string type, string method, ushort maxStack)
    {
        int rva;
        using (var m = ModuleDefinition.ReadModule(dll, new ReaderParameters { AssemblyResolver = new Resolver(Path.GetDirectoryName(dll)) }))
            rva = Find(m, type, method).RVA;
        var bytes = File.ReadAllBytes(dll);
        using (var pe = new System.Reflection.PortableExecutable.PEReader(new MemoryStream(bytes)))
        {
            var sec = pe.PEHeaders.SectionHeaders.First(h => rva >= h.VirtualAddress && rva < h.VirtualAddress + h.VirtualSize);
            int off = rva - sec.VirtualAddress + sec.PointerToRawData;
            if ((bytes[off] & 3) != 3) throw new InvalidOperationException("not a fat header");
            bytes[off + 2] = (byte)maxStack; bytes[off + 3] = (byte)(maxStack >> 8);
        }
        File.WriteAllBytes(dll, bytes);
    }
}
