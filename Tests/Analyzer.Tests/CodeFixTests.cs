using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Singularity.Analyzers.CodeFixes;

namespace Singularity.Tests.Analyzer;

/// <summary>The code fixes, applied through an AdhocWorkspace; the fixed code must no longer have the diagnostic.</summary>
public class CodeFixTests
{
    static async Task<string> Apply(CodeFixProvider fix, string id, string source)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject("Sip", LanguageNames.CSharp)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true))
            .WithParseOptions(new CSharpParseOptions(LanguageVersion.Latest))
            .AddMetadataReferences(Harness.References.Add(Harness.StandInReference));
        project = project.AddDocument("Usings.cs", Harness.Usings, filePath: "Usings.cs").Project;
        var document = project.AddDocument("Test.cs", source, filePath: "Test.cs");
        var compilation = (await document.Project.GetCompilationAsync())!;
        var diagnostics = (await compilation.WithAnalyzers(Harness.Analyzers).GetAnalyzerDiagnosticsAsync())
            .Where(d => d.Id == id && d.Location.SourceTree?.FilePath == "Test.cs").ToList();
        Assert.NotEmpty(diagnostics);
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostics[0], (a, _) => actions.Add(a), CancellationToken.None);
        await fix.RegisterCodeFixesAsync(context);
        Assert.NotEmpty(actions);
        var operations = await actions[0].GetOperationsAsync(CancellationToken.None);
        var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(document.Id)!;
        return (await changed.GetTextAsync()).ToString();
    }

    static async Task AssertGone(string id, string fixedSource)
    {
        var after = await Harness.Analyze(fixedSource);
        Assert.DoesNotContain(after, d => d.Id == id);
    }

    [Fact]
    public async Task MissingStateGetsTheStateTheFirstUseNeeds()
    {
        var fixedSource = await Apply(new AddStateFix(), "SING0013", """
            class C { static void Ask([Claims] EchoContract.Imp ep) {
                ep.SendPing(1, ExBuffer.Allocate(8));
                if (ep.Receive(out var m) == EchoContract.Imp.Tag.Pong) { m.TakePong(out int s, out var b); b.Free(); }
                ep.Close();
            } }
            """);
        Assert.Contains("[Claims, State(\"Start\")] EchoContract.Imp ep", fixedSource);
        await AssertGone("SING0013", fixedSource);
    }

    [Fact]
    public async Task LeakAtEndOfScopeGetsFree()
    {
        var fixedSource = await Apply(new ReleaseLeakFix(), "SING0003", """
            class C { void M() {
                var b = ExBuffer.Allocate(8);
                b[0] = 1;
            } }
            """);
        Assert.Contains("b.Free();", fixedSource);
        await AssertGone("SING0003", fixedSource);
    }

    [Fact]
    public async Task LeakAtEarlyReturnGetsCloseInABlock()
    {
        var fixedSource = await Apply(new ReleaseLeakFix(), "SING0003", """
            class C { void M(bool c) {
                EchoContract.NewChannel(out var imp, out var exp);
                exp.Close();
                if (c)
                    return;
                imp.Close();
            } }
            """);
        Assert.Contains("imp.Close();", fixedSource.Substring(0, fixedSource.IndexOf("return", StringComparison.Ordinal)));
        await AssertGone("SING0003", fixedSource);
    }

    [Fact]
    public async Task MutableStaticBecomesReadonly()
    {
        var fixedSource = await Apply(new MakeReadonlyFix(), "SING0009", """
            class C { static int limit = 4; int M() => limit; }
            """);
        Assert.Contains("static readonly int limit", fixedSource);
        await AssertGone("SING0009", fixedSource);
    }

    [Fact]
    public async Task MutableStaticArrayHasNoFix()
    {
        var diagnostics = await Harness.Analyze("class C { static int[] t = new int[2]; }");
        Assert.Equal("none", diagnostics.Single(d => d.Id == "SING0009").Properties["fix"]);
    }

    [Fact]
    public async Task SwitchReceiveGetsMissingCases()
    {
        var fixedSource = await Apply(new AddReceiveCasesFix(), "SING0007", """
            class C { void M([State("Ready")] FileContract.Exp ep) {
                switch (ep.Receive(out var m))
                {
                    case FileContract.Exp.Tag.Read: m.TakeRead(out long o); ep.SendData(ExBuffer.Allocate(1)); break;
                }
            } }
            """);
        Assert.Contains("Tag.Write:", fixedSource);
        Assert.Contains("Tag.Bye:", fixedSource);
        Assert.Contains("Tag.ChannelClosed:", fixedSource);
        await AssertGone("SING0007", fixedSource);
    }
}
