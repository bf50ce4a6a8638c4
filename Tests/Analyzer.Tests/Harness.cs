using System.Collections.Immutable;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Singularity.Analyzers;

namespace Singularity.Tests.Analyzer;

/// <summary>
/// Compiles a snippet together with the stand-in channel API (Tests/AnalyzerSample/StandIn.cs) and
/// runs the SING analyzers on it. Expected diagnostics are written in the snippet as line markers:
/// <c>//!SING0001</c> (several IDs separated by spaces for several diagnostics on one line).
/// </summary>
public static class Harness
{
    public const string Usings = """
        global using System;
        global using System.Collections.Generic;
        global using Singularity.Channels;
        global using Demo;
        global using static Singularity.TestHelpers.H;
        global using static W;

        /// <summary>A user method: the analyzer assumes it may throw.</summary>
        public static class W
        {
            public static void Work() { }
        }

        """;

    public static readonly string StandIn = ReadResource("StandIn.cs");

    /// <summary>Runtime-like helpers, compiled with the stand-ins (a referenced assembly, so trusted).</summary>
    const string Helpers = """
        using Singularity.Channels;
        namespace Singularity.TestHelpers
        {
            /// <summary>Runtime-like helpers (namespace Singularity.*: trusted not to throw). Take claims, Use borrows.</summary>
            public static class H
            {
                public static void Log(string s) { }
                public static void Take([Claims] ExBuffer b) { b.Free(); }
                public static void Use(ExBuffer b) { }
                public static ExBuffer Make(int n) => ExBuffer.Allocate(n);
            }
        }
        """;

    public static readonly ImmutableArray<MetadataReference> References =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
        .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
        .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();

    public static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers =
        ImmutableArray.Create<DiagnosticAnalyzer>(new OwnershipAnalyzer(), new SafetyAnalyzer(), new LayoutAnalyzer());

    static string ReadResource(string name)
    {
        using var s = typeof(Harness).Assembly.GetManifestResourceStream(name)!;
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    /// <summary>
    /// The stand-in channel API compiled into its own assembly, as the real runtime is: the
    /// analyzer trusts the runtime's API only from a referenced assembly, never from SIP source.
    /// </summary>
    public static readonly MetadataReference StandInReference = CompileStandIn();

    static MetadataReference CompileStandIn()
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new[] { CSharpSyntaxTree.ParseText(StandIn, parse, "StandIn.cs"), CSharpSyntaxTree.ParseText(Helpers, parse, "Helpers.cs") };
        var compilation = CSharpCompilation.Create("Singularity.StandIn", trees, References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0) throw new InvalidOperationException("StandIn.cs does not compile:\n" + string.Join("\n", errors));
        return compilation.ToMetadataReference();
    }

    public static CSharpCompilation Compile(string source, string path = "Test.cs")
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(Usings, parse, "Usings.cs"),
            CSharpSyntaxTree.ParseText(source, parse, path),
        };
        return CSharpCompilation.Create("SipUnderTest", trees, References.Add(StandInReference),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Disable));
    }

    public static async Task<ImmutableArray<Diagnostic>> Analyze(string source)
    {
        var compilation = Compile(source);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "the snippet does not compile:\n" + string.Join("\n", errors));
        var diagnostics = await compilation.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync();
        return diagnostics.Where(d => d.Location.SourceTree?.FilePath == "Test.cs").OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
    }

    static readonly Regex Marker = new(@"//!\s*((?:SING\d{4}\s*)+)");

    public static List<(string Id, int Line)> Expected(string source)
    {
        var list = new List<(string, int)>();
        var lines = source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var m = Marker.Match(lines[i]);
            if (!m.Success) continue;
            foreach (var id in m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)) list.Add((id, i + 1));
        }
        return list;
    }

    /// <summary>Asserts that the analyzers report exactly the marked diagnostics (ID and line), and nothing else.</summary>
    public static async Task Verify(string source)
    {
        var diagnostics = await Analyze(source);
        var actual = diagnostics.Select(d => (d.Id, Line: d.Location.GetLineSpan().StartLinePosition.Line + 1))
            .OrderBy(x => x.Line).ThenBy(x => x.Id).ToList();
        var expected = Expected(source).OrderBy(x => x.Line).ThenBy(x => x.Id).ToList();
        if (!actual.SequenceEqual(expected))
            Assert.Fail("expected:\n  " + string.Join("\n  ", expected.Select(e => e.Id + " line " + e.Line)) +
                        "\nactual:\n  " + string.Join("\n  ", diagnostics.Select(d => d.Id + " line " + (d.Location.GetLineSpan().StartLinePosition.Line + 1) + ": " + d.GetMessage())));
    }
}
