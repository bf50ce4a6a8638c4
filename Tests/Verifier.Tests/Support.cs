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

    /// <summary>
    /// A test contract, compiled like Contracts/ (against the real Singularity.Channels types of
    /// Singularity.Runtime, with the real contract generator) into a contract assembly that, like
    /// Contracts/, declares itself a SIP library.
    /// Ping.Imp sends Hi(int, ExBuffer) and receives Ho(ExBuffer); Ping.Exp the other way round.
    /// </summary>
    public const string ContractNamespace = "Singularity.Contracts.Testing";

    public const string ChannelsSource = """"
        using Singularity.Channels;
        [assembly: Singularity.SipLibrary]
        namespace Singularity.Contracts.Testing
        {
            [Contract(Protocol = """
                closable state Start: one {
                    Hi? -> Ho! -> Start;
                }
                """)]
            public partial interface Ping
            {
                [In] void Hi(int x, ExBuffer b);
                [Out] void Ho(ExBuffer b);
            }
        }
        """";

    private static readonly Lazy<string> s_channels = new(() => Compile("Singularity.Contracts.Testing", ChannelsSource, dir: Path.Combine(Scratch, "channels"), generate: true));

    public static string ChannelsAssembly => s_channels.Value;

    /// <summary>The real contracts library (Contracts/, built by the solution), when it is built.</summary>
    public static readonly string ContractsLibrary = Path.Combine(Root, "Contracts", "bin", "Release", "net10.0", "Singularity.Contracts.dll");

    /// <summary>The assembly a library project (Contracts/Contracts.csproj, Libraries/NAME/NAME.csproj) builds: bin/Release/net10.0/ASSEMBLYNAME.dll.</summary>
    public static string BuiltAssembly(string csproj)
    {
        var name = System.Xml.Linq.XDocument.Load(csproj).Descendants("AssemblyName").Select(e => e.Value).FirstOrDefault() ?? Path.GetFileNameWithoutExtension(csproj);
        return Path.Combine(Path.GetDirectoryName(csproj), "bin", "Release", "net10.0", name + ".dll");
    }

    /// <summary>Every SIP library project under Libraries/.</summary>
    public static IEnumerable<string> LibraryProjects() =>
        Directory.GetFiles(Path.Combine(Root, "Libraries"), "*.csproj", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal);

    /// <summary>Compiles C# against Singularity.Corlib and Singularity.Runtime (and the test channel types); returns the dll path.</summary>
    public static string Compile(string name, string source, bool allowUnsafe = false, string dir = null, IEnumerable<string> references = null, bool exe = false, bool channels = false, bool generate = false, IEnumerable<string> moreSources = null, bool debug = false)
    {
        // Sources that use the test contract name it without a namespace (Ping.Imp).
        if (channels) source = "using " + ContractNamespace + ";\n" + source;
        dir ??= NewDir();
        Directory.CreateDirectory(dir);
        var refs = new List<string> { Corlib, Runtime };
        if (channels) refs.Add(ChannelsAssembly);
        if (references != null) refs.AddRange(references);
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        Compilation comp = CSharpCompilation.Create(name,
            new[] { source }.Concat(moreSources ?? Enumerable.Empty<string>()).Select(x => CSharpSyntaxTree.ParseText(x, parse)),
            refs.Select(r => MetadataReference.CreateFromFile(r)),
            new CSharpCompilationOptions(exe ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, allowUnsafe: allowUnsafe, optimizationLevel: debug ? OptimizationLevel.Debug : OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Disable));
        if (generate)
        {
            // The contract generator, as the Contracts project runs it (an incremental source generator).
            var driver = CSharpGeneratorDriver.Create(new[] { new Singularity.ContractGenerator.ContractSourceGenerator().AsSourceGenerator() }, parseOptions: parse);
            driver.RunGeneratorsAndUpdateCompilation(comp, out comp, out var gd);
            var gerr = gd.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (gerr.Count > 0) throw new InvalidOperationException("the contract generator failed:\n" + string.Join("\n", gerr));
        }
        var path = Path.Combine(dir, name + ".dll");
        using (var fs = File.Create(path))
        {
            var r = comp.Emit(fs, options: new EmitOptions(runtimeMetadataVersion: "v4.0.30319"));
            var errors = r.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (!r.Success) throw new InvalidOperationException("test source does not compile:\n" + string.Join("\n", errors));
        }
        if (channels) File.Copy(ChannelsAssembly, Path.Combine(dir, Path.GetFileName(ChannelsAssembly)), true);
        // Referenced libraries sit next to the assembly, as in a SIP's bin directory.
        foreach (var r in references ?? Enumerable.Empty<string>())
        {
            var to = Path.Combine(dir, Path.GetFileName(r));
            if (!string.Equals(Path.GetFullPath(r), Path.GetFullPath(to), StringComparison.Ordinal)) File.Copy(r, to, true);
        }
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

    private static readonly Lazy<ModuleDefinition> s_runtime = new(() =>
    {
        var m = ModuleDefinition.ReadModule(Runtime, new ReaderParameters { AssemblyResolver = new Resolver(RuntimeDir) });
        CecilCoreLibrary.Fix(m);
        return m;
    });

    /// <summary>A type of the trusted runtime (Singularity.Runtime) as Cecil reads it.</summary>
    public static TypeDefinition RuntimeDef(string name) => s_runtime.Value.Types.First(t => t.FullName == name);

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
