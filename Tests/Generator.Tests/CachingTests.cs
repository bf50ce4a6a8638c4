using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Singularity.ContractGenerator;
using static Singularity.Tests.Generator.GeneratorHarness;

namespace Singularity.Tests.Generator;

/// <summary>The pipeline's models are value-equatable: edits that do not matter regenerate nothing.</summary>
public class CachingTests
{
    private const string ContractSource = """
        using Singularity.Channels;
        namespace T
        {
            [Contract(Protocol = "state S: Ping? -> Pong! -> S;")]
            public partial interface C
            {
                [In] void Ping(int seq, ExBuffer payload);
                [Out] void Pong(int seq, ExBuffer payload);
            }
        }
        """;

    private static IncrementalStepRunReason[] Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    private static IncrementalStepRunReason[] OutputReasons(GeneratorRunResult result) =>
        result.TrackedOutputSteps.SelectMany(p => p.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    [Fact]
    public void EditInAnotherFileLeavesEverythingCached()
    {
        CSharpCompilation first = Compilation(HostedReferences, ("Contract.cs", ContractSource), ("Other.cs", "namespace T { class Other { int X; } }"));
        GeneratorDriver driver = Driver().RunGenerators(first);
        SyntaxTree other = first.SyntaxTrees.Single(t => t.FilePath == "Other.cs");
        CSharpCompilation second = first.ReplaceSyntaxTree(other,
            CSharpSyntaxTree.ParseText("namespace T { class Other { int X; int Y; } }", Parse, "Other.cs"));

        GeneratorRunResult result = driver.RunGenerators(second).GetRunResult().Results.Single();

        Assert.All(Reasons(result, ContractSourceGenerator.ResultStep),
            r => Assert.True(r is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached, r.ToString()));
        Assert.All(Reasons(result, ContractSourceGenerator.CodeStep), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.Contains(IncrementalStepRunReason.Cached, OutputReasons(result));
        Assert.DoesNotContain(IncrementalStepRunReason.Modified, OutputReasons(result));
        Assert.DoesNotContain(IncrementalStepRunReason.New, OutputReasons(result));
    }

    [Fact]
    public void MovingTheContractInItsFileDoesNotRegenerateCode()
    {
        CSharpCompilation first = Compilation(HostedReferences, ("Contract.cs", ContractSource));
        GeneratorDriver driver = Driver().RunGenerators(first);
        // A comment above the contract moves every location but changes nothing the emitter uses.
        CSharpCompilation second = first.ReplaceSyntaxTree(first.SyntaxTrees.Single(),
            CSharpSyntaxTree.ParseText("// a comment\n" + ContractSource, Parse, "Contract.cs"));

        GeneratorRunResult result = driver.RunGenerators(second).GetRunResult().Results.Single();

        Assert.All(Reasons(result, ContractSourceGenerator.CodeStep),
            r => Assert.True(r is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached, r.ToString()));
        // The code model is unchanged, so the emitted source is the very same text.
        Assert.Equal(driver.GetRunResult().GeneratedTrees.Single().ToString(), result.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void ChangingTheProtocolRegenerates()
    {
        CSharpCompilation first = Compilation(HostedReferences, ("Contract.cs", ContractSource));
        GeneratorDriver driver = Driver().RunGenerators(first);
        CSharpCompilation second = first.ReplaceSyntaxTree(first.SyntaxTrees.Single(),
            CSharpSyntaxTree.ParseText(ContractSource.Replace("state S: Ping? -> Pong! -> S;", "state Ready: Ping? -> Pong! -> Ready;"), Parse, "Contract.cs"));

        GeneratorRunResult result = driver.RunGenerators(second).GetRunResult().Results.Single();

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, ContractSourceGenerator.CodeStep));
    }
}
