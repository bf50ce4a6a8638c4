using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Singularity.ContractGenerator;

namespace Singularity.Tests.Generator;

/// <summary>Runs the contract generator on source text, by hand (no Roslyn testing packages here).</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    /// <summary>The .NET framework plus the hosted channel runtime.</summary>
    public static IReadOnlyList<MetadataReference> HostedReferences { get; } = BuildHostedReferences();

    private static List<MetadataReference> BuildHostedReferences()
    {
        var refs = new List<MetadataReference>();
        string tpa = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        foreach (string path in tpa.Split(Path.PathSeparator))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            if (name.StartsWith("System.", StringComparison.Ordinal) || name == "System" || name == "netstandard" || name == "mscorlib")
                refs.Add(MetadataReference.CreateFromFile(path));
        }
        refs.Add(MetadataReference.CreateFromFile(typeof(Singularity.Channels.ExBuffer).Assembly.Location));
        return refs;
    }

    /// <summary>The kernel-side assemblies (our corlib and the SIP runtime), or null if not built.</summary>
    public static IReadOnlyList<MetadataReference>? KernelReferences()
    {
        var attrs = typeof(GeneratorHarness).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToList();
        string root = attrs.First(a => a.Key == "RepoRoot").Value!;
        string config = attrs.First(a => a.Key == "Configuration").Value!;
        string dir = Path.Combine(root, "Kernel", "SipRuntime", "bin", config, "net10.0");
        string corlib = Path.Combine(dir, "Singularity.Corlib.dll"), runtime = Path.Combine(dir, "Singularity.Runtime.dll");
        if (!File.Exists(runtime))
        {
            corlib = Path.Combine(root, "Kernel", "Corlib", "bin", config, "net10.0", "Singularity.Corlib.dll");
            if (!File.Exists(corlib) || !File.Exists(runtime)) return null;
        }
        return new[] { MetadataReference.CreateFromFile(corlib), MetadataReference.CreateFromFile(runtime) };
    }

    public static CSharpCompilation Compilation(IEnumerable<MetadataReference> references, params (string Path, string Text)[] files) =>
        CSharpCompilation.Create("ContractTest",
            files.Select(f => CSharpSyntaxTree.ParseText(f.Text, Parse, f.Path)),
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));

    public static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create(
            new[] { new ContractSourceGenerator().AsSourceGenerator() },
            parseOptions: Parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public sealed record Result(Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics, GeneratorDriverRunResult Run, GeneratorDriver Driver)
    {
        public IEnumerable<Diagnostic> CompileErrors =>
            Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error);

        public string GeneratedText => string.Join("\n", Run.GeneratedTrees.Select(t => t.ToString()));
    }

    public static Result Run(string source, IEnumerable<MetadataReference>? references = null)
    {
        CSharpCompilation compilation = Compilation(references ?? HostedReferences, ("Contract.cs", source));
        GeneratorDriver driver = Driver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new Result(output, diagnostics, driver.GetRunResult(), driver);
    }

    /// <summary>The source text a diagnostic points at.</summary>
    public static string SpanText(Diagnostic d) =>
        d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan);
}
