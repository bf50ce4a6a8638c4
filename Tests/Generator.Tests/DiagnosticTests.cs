using Microsoft.CodeAnalysis;
using static Singularity.Tests.Generator.GeneratorHarness;

namespace Singularity.Tests.Generator;

/// <summary>Every generator diagnostic: the right ID, at the right place in the source.</summary>
public class DiagnosticTests
{
    private static string Contract(string protocol, string members, string header = "public partial interface C") => $$"""
        using Singularity.Channels;
        namespace T
        {
            [Contract(Protocol = "{{protocol}}")]
            {{header}}
            {
        {{members}}
            }
        }
        """;

    private const string PingPong = """
                [In] void Ping(int seq);
                [Out] void Pong(int seq);
        """;

    private static Diagnostic Single(Result r, string id)
    {
        var matches = r.GeneratorDiagnostics.Where(d => d.Id == id).ToList();
        Assert.True(matches.Count == 1, $"expected one {id}, got: {string.Join("; ", r.GeneratorDiagnostics)}");
        return matches[0];
    }

    [Fact]
    public void ValidContractHasNoDiagnosticsAndCompiles()
    {
        Result r = Run(Contract("state S: Ping? -> Pong! -> S;", PingPong));
        Assert.Empty(r.GeneratorDiagnostics);
        Assert.Empty(r.CompileErrors);
    }

    [Fact]
    public void SINGC001_SyntaxErrorPointsInsideTheString()
    {
        // The missing target state: the error is at the ';' right after the last arrow.
        Result r = Run(Contract("state S: Ping? -> Pong! -> ;", PingPong));
        Diagnostic d = Single(r, "SINGC001");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(";", SpanText(d));
        int column = d.Location.GetLineSpan().StartLinePosition.Character;
        string line = r.Output.SyntaxTrees.First().GetText().Lines[d.Location.GetLineSpan().StartLinePosition.Line].ToString();
        Assert.Equal("state S: Ping? -> Pong! -> ;".Length - 1, column - line.IndexOf('"') - 1);
        Assert.Empty(r.Run.GeneratedTrees);
    }

    [Fact]
    public void SINGC001_UnexpectedCharacter()
    {
        Result r = Run(Contract("state S: Ping? => S;", PingPong));
        Diagnostic d = Single(r, "SINGC001");
        Assert.Equal("=", SpanText(d));
    }

    [Fact]
    public void SINGC001_InRawMultiLineString()
    {
        const string source = """"
            using Singularity.Channels;
            namespace T
            {
                [Contract(Protocol = """
                    state S: Ping? -> Pong! -> S;
                    state Q: Ping? Pong! -> S;
                    """)]
                public partial interface C
                {
                    [In] void Ping(int seq);
                    [Out] void Pong(int seq);
                }
            }
            """";
        Result r = Run(source);
        Diagnostic d = Single(r, "SINGC001");
        Assert.Equal("Pong", SpanText(d));
        Assert.Equal(5, d.Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public void SINGC001_EscapesInRegularStringStillMapExactly()
    {
        Result r = Run(Contract(@"state S:\tPing? -> Pong! -> S;\nstate Q: Ping? -> %;", PingPong));
        Diagnostic d = Single(r, "SINGC001");
        Assert.Equal("%", SpanText(d));
    }

    [Fact]
    public void SINGC001_MissingProtocol()
    {
        Result r = Run(Contract("", PingPong).Replace("(Protocol = \"\")", ""));
        Diagnostic d = Single(r, "SINGC001");
        Assert.Equal("Contract", SpanText(d));
    }

    [Fact]
    public void SINGC002_UnknownMessage()
    {
        Result r = Run(Contract("state S: Ping? -> Pnog! -> S;", PingPong));
        Diagnostic d = Single(r, "SINGC002");
        Assert.Equal("Pnog", SpanText(d));
        Assert.Contains("Pnog", d.GetMessage());
    }

    [Fact]
    public void SINGC003_ReceiveOfAnOutMessage()
    {
        Result r = Run(Contract("state S: Ping? -> Pong? -> S;", PingPong));
        Diagnostic d = Single(r, "SINGC003");
        Assert.Equal("Pong?", SpanText(d));
        Assert.Contains("Pong!", d.GetMessage());
    }

    [Fact]
    public void SINGC003_SendOfAnInMessage()
    {
        Result r = Run(Contract("state S: Ping! -> Pong! -> S;", PingPong));
        Assert.Equal("Ping!", SpanText(Single(r, "SINGC003")));
    }

    [Fact]
    public void SINGC004_UnreachableState()
    {
        Result r = Run(Contract("state S: Ping? -> Pong! -> S; state Lonely: Ping? -> S;", PingPong));
        Diagnostic d = Single(r, "SINGC004");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("Lonely", SpanText(d));
        Assert.NotEmpty(r.Run.GeneratedTrees);   // a warning does not stop generation
    }

    [Theory]
    [InlineData("string", "text")]
    [InlineData("object", "text")]
    [InlineData("int[]", "text")]
    [InlineData("System.Collections.Generic.List<int>", "text")]
    [InlineData("Holder", "text")]
    [InlineData("ServiceListener", "text")]
    [InlineData("ExArray<ExBuffer>", "text")]
    public void SINGC005_NonExchangeableArgument(string type, string name)
    {
        string members = $$"""
                    [In] void Ping({{type}} {{name}});
                    [Out] void Pong(int seq);
            """;
        string source = Contract("state S: Ping? -> Pong! -> S;", members) + "\nnamespace T { public struct Holder { public string S; } }";
        Result r = Run(source);
        Diagnostic d = Single(r, "SINGC005");
        Assert.Equal(name, SpanText(d));
    }

    [Fact]
    public void SINGC005_AllowedTypesPass()
    {
        string members = """
                    [In] void Ping(int a, bool b, char c, double d, Color e, Point f, ExBuffer g, ExArray<Point> h);
                    [Out] void Pong(long seq);
            """;
        string source = Contract("state S: Ping? -> Pong! -> S;", members) +
            "\nnamespace T { public enum Color : byte { Red } public struct Point { public int X, Y; } }";
        Result r = Run(source);
        Assert.Empty(r.GeneratorDiagnostics);
        Assert.Empty(r.CompileErrors);
    }

    [Fact]
    public void SINGC006_SameMessageTwiceInAChoice()
    {
        Result r = Run(Contract("state S: Ping? -> (Pong! | Pong!) -> S;", PingPong));
        Diagnostic d = Single(r, "SINGC006");
        Assert.Equal("Pong!", SpanText(d));
        Assert.Equal(d.Location.SourceSpan.Start, r.Output.SyntaxTrees.First().ToString().LastIndexOf("Pong!", StringComparison.Ordinal));
    }

    [Fact]
    public void SINGC006_SendsAndReceivesMixed()
    {
        Result r = Run(Contract("state S: one { Ping? -> S; Pong! -> S; }", PingPong));
        Diagnostic d = Single(r, "SINGC006");
        Assert.Equal("Pong!", SpanText(d));
    }

    [Fact]
    public void SINGC007_UnusedMessage()
    {
        string members = PingPong + "        [Out] void Extra();\n";
        Result r = Run(Contract("state S: Ping? -> Pong! -> S;", members));
        Diagnostic d = Single(r, "SINGC007");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("Extra", SpanText(d));
    }

    [Fact]
    public void SINGC008_TooManyDataBytes()
    {
        string members = """
                    [In] void Ping(long a, long b, long c, long d, long e, long f, long g, long h, int i);
                    [Out] void Pong(int seq);
            """;
        Result r = Run(Contract("state S: Ping? -> Pong! -> S;", members));
        Diagnostic d = Single(r, "SINGC008");
        Assert.Equal("Ping", SpanText(d));
        Assert.Contains("68 bytes", d.GetMessage());
    }

    [Fact]
    public void SINGC008_TooManyHandles()
    {
        string members = """
                    [In] void Ping(ExBuffer a, ExBuffer b, ExBuffer c, ExBuffer d, ExBuffer e);
                    [Out] void Pong(int seq);
            """;
        Result r = Run(Contract("state S: Ping? -> Pong! -> S;", members));
        Assert.Contains("5 tracked", Single(r, "SINGC008").GetMessage());
    }

    [Fact]
    public void SINGC009_NotPartial()
    {
        Result r = Run(Contract("state S: Ping? -> Pong! -> S;", PingPong, header: "public interface C"));
        Assert.Equal("C", SpanText(Single(r, "SINGC009")));
    }

    [Fact]
    public void SINGC009_NonMessageMember()
    {
        string members = PingPong + "        int Count { get; }\n";
        Result r = Run(Contract("state S: Ping? -> Pong! -> S;", members));
        Assert.Equal("Count", SpanText(Single(r, "SINGC009")));
    }

    [Fact]
    public void SINGC009_MethodWithoutDirection()
    {
        string members = PingPong + "        void Helper(int x);\n";
        Result r = Run(Contract("state S: Ping? -> Pong! -> S;", members));
        Assert.Equal("Helper", SpanText(Single(r, "SINGC009")));
    }

    [Fact]
    public void SINGC010_UnknownTargetState()
    {
        Result r = Run(Contract("state S: Ping? -> Pong! -> Nowhere;", PingPong));
        Assert.Equal("Nowhere", SpanText(Single(r, "SINGC010")));
    }

    [Fact]
    public void SINGC010_DuplicateState()
    {
        Result r = Run(Contract("state S: Ping? -> Pong! -> S; state S: Ping? -> S;", PingPong));
        Diagnostic d = Single(r, "SINGC010");
        Assert.Equal(r.Output.SyntaxTrees.First().ToString().IndexOf("state S: Ping? -> S;", StringComparison.Ordinal) + 6, d.Location.SourceSpan.Start);
    }

    [Theory]
    [InlineData("")]
    [InlineData("state")]
    [InlineData("state S")]
    [InlineData("state S:")]
    [InlineData("state S: (")]
    [InlineData("state S: (Ping? |")]
    [InlineData("state S: one {")]
    [InlineData("state S: one { Ping? -> S; ")]
    [InlineData("closable closable")]
    [InlineData("state S: Ping? -> Pong! -> S -> S;")]
    [InlineData("state S: S;")]
    [InlineData("state one: Ping? -> one;")]
    [InlineData("\\u00e9\\u00e9")]
    [InlineData("state S: Ping? -> (Pong!) -> close;; state S2")]
    public void BadProtocolsGiveDiagnosticsNotCrashes(string protocol)
    {
        Result r = Run(Contract(protocol, PingPong));
        Assert.DoesNotContain(r.GeneratorDiagnostics, d => d.Id == "SINGC099" || d.Id.StartsWith("CS", StringComparison.Ordinal));
        Assert.Contains(r.GeneratorDiagnostics, d => d.Id.StartsWith("SINGC", StringComparison.Ordinal));
        Assert.Null(r.Run.Results[0].Exception);
    }
}

public class CrossAssemblyTests
{
    /// <summary>A contract carrying an endpoint of a contract compiled into another assembly.</summary>
    [Fact]
    public void EndpointOfAContractFromAReferencedAssembly()
    {
        const string library = """
            using Singularity.Channels;
            namespace Lib
            {
                [Contract(Protocol = "state Ready: Hello? -> Ready;")]
                public partial interface Greeter { [In] void Hello(int n); }
            }
            """;
        var libCompilation = GeneratorHarness.Compilation(GeneratorHarness.HostedReferences, ("Lib.cs", library));
        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(libCompilation, out var libOutput, out _);
        using var stream = new MemoryStream();
        var emit = libOutput.Emit(stream);
        Assert.True(emit.Success, string.Join("; ", emit.Diagnostics));
        var libReference = MetadataReference.CreateFromImage(stream.ToArray());

        const string app = """
            using Singularity.Channels;
            namespace App
            {
                [Contract(Protocol = "state S: Pass? -> S;")]
                public partial interface Relay { [In] void Pass([State("Ready")] Lib.Greeter.Exp greeter); }
            }
            """;
        var result = GeneratorHarness.Run(app, GeneratorHarness.HostedReferences.Append(libReference));
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileErrors);
        Assert.Contains("global::Lib.Greeter.Exp.FromHandle(frame__.TakeEndpoint(), \"Ready\")", result.GeneratedText);
    }

    [Fact]
    public void ReservedMessageNames()
    {
        var r = GeneratorHarness.Run("""
            using Singularity.Channels;
            [Contract(Protocol = "state S: Imp? -> S;")]
            public partial interface C { [In] void Imp(); }
            """);
        Assert.Contains(r.GeneratorDiagnostics, d => d.Id == "SINGC009" && GeneratorHarness.SpanText(d) == "Imp");
    }
}

public class GlobalNamespaceTests
{
    [Fact]
    public void ContractInTheGlobalNamespaceCompiles()
    {
        var r = GeneratorHarness.Run("""
            using Singularity.Channels;
            [Contract(Protocol = "state S: Go? -> close;")]
            public partial interface Top { [In] void Go(); }
            public static class UseTop { public static void Run() { Top.NewChannel(out Top.Imp i, out Top.Exp e); i.SendGo(); e.RecvGo(); e.Close(); i.Close(); } }
            """);
        Assert.Empty(r.GeneratorDiagnostics);
        Assert.Empty(r.CompileErrors);
    }
}
