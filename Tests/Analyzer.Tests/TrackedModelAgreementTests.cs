using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Mono.Cecil;
using Singularity.Analyzers;
using Singularity.Ownership;
using Singularity.Verifier;

namespace Singularity.Tests.Analyzer;

/// <summary>
/// The two checkers must agree on what is tracked: the analyzer (ChannelModel, over Roslyn
/// symbols) and the IL verifier (Tracking, over Cecil) both ask the shared model
/// (Verifier/Shared/TrackedTypes.cs). One assembly (the stand-in channel API plus cases: a
/// [Tracked] class and classes derived from it, generated-like endpoints and their Message
/// structs, look-alikes that must not count, generic instances, arrays, TRef) is compiled, and
/// every type and every field type in it is classified by both; any difference fails.
/// </summary>
public class TrackedModelAgreementTests
{
    const string Cases = """
        using Singularity.Channels;
        namespace Cases
        {
            [Tracked] public class Block { }
            public class DerivedBlock : Block { }
            public sealed class DeeperBlock : DerivedBlock { }
            public class Plain { }
            public struct PlainStruct { public int X; }
            public sealed class MyEndpoint : Endpoint
            {
                public MyEndpoint(EndpointHandle h) : base(h, 0) { }
                public struct Message { public int Tag; }          // affine: a message of an endpoint
                public class NotAMessage { }
            }
            public class NotAnEndpoint { public struct Message { public int Tag; } }   // not nested in an endpoint
            public sealed class SubEndpoint : Endpoint
            {
                public SubEndpoint(EndpointHandle h) : base(h, 0) { }
                public class Message { }                            // a class, not a struct: not affine
            }
            public struct ExBuffer { }                               // the right name in the wrong namespace
            public class Holder
            {
                public Singularity.Channels.ExBuffer Buffer;
                public ExArray<int> Ints;
                public ExArray<long>[] ArrayOfArrays;
                public TRef<MyEndpoint> Ref;
                public EndpointHandle Handle;
                public MyEndpoint.Message Received;
                public MessageFrame Frame;
                public Block Block;
                public DeeperBlock Deeper;
                public Plain Plain;
                public PlainStruct PlainStruct;
                public ExBuffer LookAlike;
                public int Number;
                public string Text;
                public object Anything;
                public Endpoint AnyEndpoint;
                public Block[] Blocks;
            }
        }
        """;

    record Verdict(bool Tracked, bool Affine, bool Endpoint);

    [Fact]
    public void VerifierAndAnalyzerClassifyEveryTypeAlike()
    {
        var dir = Directory.CreateTempSubdirectory("sing-tracked-model").FullName;
        try
        {
            var parse = new CSharpParseOptions(LanguageVersion.Latest);
            var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable);
            // The stand-in runtime is its own assembly, as the real runtime is.
            var standIn = CSharpCompilation.Create("Singularity.StandIn", new[] { CSharpSyntaxTree.ParseText(Harness.StandIn, parse) }, Harness.References, options);
            string standInPath = Path.Combine(dir, "Singularity.StandIn.dll");
            Emit(standIn, standInPath);
            // All metadata members (private fields too), as Cecil sees them.
            var cases = CSharpCompilation.Create("Cases", new[] { CSharpSyntaxTree.ParseText(Cases, parse) },
                Harness.References.Add(MetadataReference.CreateFromFile(standInPath)), options.WithMetadataImportOptions(MetadataImportOptions.All));
            string casesPath = Path.Combine(dir, "Cases.dll");
            Emit(cases, casesPath);

            // The analyzer's answers, by metadata name.
            var model = new ChannelModel(cases.Assembly);
            var analyzer = new Dictionary<string, Verdict>();
            var standInAssembly = (IAssemblySymbol)cases.GetAssemblyOrModuleSymbol(cases.References.Last());
            foreach (var asm in new[] { cases.Assembly, standInAssembly })
                foreach (var t in AllTypes(asm.GlobalNamespace).Where(t => !t.Name.StartsWith("<", StringComparison.Ordinal)))
                {
                    analyzer[Name(t)] = Ask(model, t);
                    foreach (var f in t.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsImplicitlyDeclared))
                        analyzer[Name(t) + "::" + f.Name] = Ask(model, f.Type);
                }

            // The verifier's answers, by Cecil full name.
            var resolver = new DefaultAssemblyResolver();
            resolver.AddSearchDirectory(dir);
            resolver.AddSearchDirectory(Path.GetDirectoryName(typeof(object).Assembly.Location));
            var verifier = new Dictionary<string, Verdict>();
            foreach (var path in new[] { casesPath, standInPath })
            {
                using var module = ModuleDefinition.ReadModule(path, new ReaderParameters { AssemblyResolver = resolver });
                var tracking = new Tracking(new Singularity.Verifier.TypeSystem(module));
                foreach (var t in module.GetTypes().Where(t => t.Name != "<Module>"))
                {
                    verifier[t.FullName] = Ask(tracking, t);
                    foreach (var f in t.Fields)
                        verifier[t.FullName + "::" + f.Name] = Ask(tracking, f.FieldType);
                }
            }

            // Every type and field the analyzer sees (Cecil also lists compiler-generated ones, which have no symbols).
            Assert.True(analyzer.Count > 100, $"only {analyzer.Count} types and fields compared");
            var disagreements = analyzer.Keys.OrderBy(k => k, StringComparer.Ordinal)
                .Where(k => !analyzer.TryGetValue(k, out var a) || !verifier.TryGetValue(k, out var v) || a != v)
                .Select(k => $"{k}: analyzer {(analyzer.TryGetValue(k, out var a) ? a : "(missing)")}, verifier {(verifier.TryGetValue(k, out var v) ? v : "(missing)")}")
                .ToList();
            Assert.True(disagreements.Count == 0, "the checkers disagree on what is tracked:\n" + string.Join("\n", disagreements));

            // And the answers are the model's (the comparison above could agree on nonsense).
            Assert.Equal(new Verdict(true, false, false), verifier["Singularity.Channels.ExBuffer"]);
            Assert.Equal(new Verdict(true, true, false), verifier["Singularity.Channels.EndpointHandle"]);
            Assert.Equal(new Verdict(true, false, true), verifier["Cases.MyEndpoint"]);
            Assert.Equal(new Verdict(true, true, false), verifier["Cases.MyEndpoint/Message"]);
            Assert.Equal(new Verdict(true, false, false), verifier["Cases.DeeperBlock"]);
            Assert.Equal(new Verdict(true, false, false), verifier["Cases.Holder::Ints"]);
            Assert.Equal(new Verdict(false, false, false), verifier["Cases.Holder::ArrayOfArrays"]);
            Assert.Equal(new Verdict(false, false, false), verifier["Cases.Holder::Ref"]);
            Assert.Equal(new Verdict(false, false, false), verifier["Cases.NotAnEndpoint/Message"]);
            Assert.Equal(new Verdict(false, false, false), verifier["Cases.ExBuffer"]);
            Assert.Equal(new Verdict(false, false, false), verifier["Singularity.Channels.MessageFrame"]);
            // The subclass's Message is a class: not affine, but is it tracked? Neither checker says so.
            Assert.Equal(new Verdict(false, false, false), verifier["Cases.SubEndpoint/Message"]);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    static Verdict Ask(ChannelModel model, ITypeSymbol t) => new(model.IsTracked(t), ChannelModel.IsAffine(t), ChannelModel.IsEndpoint(t));

    static Verdict Ask(Tracking tracking, TypeReference t) => new(tracking.IsTracked(t), tracking.IsAffine(t), tracking.IsEndpoint(t));

    static void Emit(CSharpCompilation c, string path)
    {
        var result = c.Emit(path);
        Assert.True(result.Success, $"{c.AssemblyName} does not compile:\n" + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
    }

    static IEnumerable<INamedTypeSymbol> AllTypes(INamespaceSymbol ns)
    {
        foreach (var t in ns.GetTypeMembers())
            foreach (var n in WithNested(t)) yield return n;
        foreach (var inner in ns.GetNamespaceMembers())
            foreach (var t in AllTypes(inner)) yield return t;
    }

    static IEnumerable<INamedTypeSymbol> WithNested(INamedTypeSymbol t)
    {
        yield return t;
        foreach (var n in t.GetTypeMembers())
            foreach (var m in WithNested(n)) yield return m;
    }

    /// <summary>Cecil's full name of a type definition: Namespace.Outer/Inner`1.</summary>
    static string Name(INamedTypeSymbol t)
        => t.ContainingType != null ? Name(t.ContainingType) + "/" + t.MetadataName
         : (t.ContainingNamespace.IsGlobalNamespace ? "" : t.ContainingNamespace.ToDisplayString() + ".") + t.MetadataName;
}
