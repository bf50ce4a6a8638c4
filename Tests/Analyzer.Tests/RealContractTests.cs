using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Singularity.ContractGenerator;

namespace Singularity.Tests.Analyzer;

/// <summary>
/// The analyzer on the code the real contract generator emits (not the hand-written stand-ins of
/// Harness): the contracts of Contracts/**/*.cs, plus any contract in the snippet, are run through
/// ContractSourceGenerator and compiled against the hosted runtime (the same public surface as
/// the kernel's SIP runtime). Expected diagnostics are //!SINGnnnn markers as in Harness.
/// </summary>
public class RealContractTests
{
    static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    static readonly ImmutableArray<MetadataReference> References = Harness.References
        .Add(MetadataReference.CreateFromFile(typeof(Singularity.Channels.Endpoint).Assembly.Location));

    static readonly (string Path, string Text)[] ContractSources =
        Directory.GetFiles(Path.Combine(Repository.Root, "Contracts"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(Path.GetRelativePath(Path.Combine(Repository.Root, "Contracts"), f)) && Path.GetFileName(f) != "SipLibrary.cs")
            .Select(f => (f, File.ReadAllText(f))).ToArray();

    // Contracts are grouped by area (Contracts/System, Contracts/Examples); bin/ and obj/ hold build
    // output; SipLibrary.cs marks the assembly with an attribute only the SIP runtime defines.
    static bool IsBuildOutput(string relative) =>
        relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    const string Usings = """
        global using System;
        global using Singularity.Channels;
        global using Singularity.Contracts;
        """;

    static async Task Verify(string source)
    {
        var trees = ContractSources.Select(c => CSharpSyntaxTree.ParseText(c.Text, Parse, c.Path))
            .Append(CSharpSyntaxTree.ParseText(Usings, Parse, "Usings.cs"))
            .Append(CSharpSyntaxTree.ParseText(source, Parse, "Test.cs"));
        var compilation = CSharpCompilation.Create("SipOverRealContracts", trees, References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));
        CSharpGeneratorDriver.Create(new[] { new ContractSourceGenerator().AsSourceGenerator() }, parseOptions: Parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "the snippet does not compile:\n" + string.Join("\n", errors));
        var diagnostics = (await output.WithAnalyzers(Harness.Analyzers).GetAnalyzerDiagnosticsAsync())
            .Where(d => d.Location.SourceTree?.FilePath == "Test.cs").OrderBy(d => d.Location.SourceSpan.Start).ToList();
        var actual = diagnostics.Select(d => (d.Id, Line: d.Location.GetLineSpan().StartLinePosition.Line + 1))
            .OrderBy(x => x.Line).ThenBy(x => x.Id).ToList();
        var expected = Harness.Expected(source).OrderBy(x => x.Line).ThenBy(x => x.Id).ToList();
        if (!actual.SequenceEqual(expected))
            Assert.Fail("expected:\n  " + string.Join("\n  ", expected.Select(e => e.Id + " line " + e.Line)) +
                        "\nactual:\n  " + string.Join("\n  ", diagnostics.Select(d => d.Id + " line " + (d.Location.GetLineSpan().StartLinePosition.Line + 1) + ": " + d.GetMessage())));
    }

    [Fact]
    public Task FullEchoConversationIsClean() => Verify("""
        public static class Client
        {
            public static void Run()
            {
                EchoListenerContract.NewChannel(out EchoListenerContract.Imp listener, out EchoListenerContract.Exp listening);
                var cell = new TRef<EchoListenerContract.Exp>(listening);
                EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp serverEnd);
                listener.SendConnect(serverEnd);
                ExBuffer payload = ExBuffer.Allocate(64);
                for (int seq = 1; seq <= 3; seq++)
                {
                    client.SendPing(seq, payload);
                    switch (client.Receive(out EchoContract.Imp.Message reply))
                    {
                        case EchoContract.Imp.Tag.Pong:
                            reply.TakePong(out int got, out payload);
                            break;
                        case EchoContract.Imp.Tag.Busy:
                            reply.TakeBusy(out got, out payload);
                            break;
                        default:
                            client.Close();
                            listener.Close();
                            Server.Listen(cell.Acquire());
                            return;
                    }
                }
                payload.Free();
                client.SendBye();
                client.Close();
                listener.Close();
                Server.Listen(cell.Acquire());
            }
        }

        public static class Server
        {
            public static void Listen([Claims, State("Listening")] EchoListenerContract.Exp listening)
            {
                EchoContract.Exp connection;
                if (listening.RecvConnect(out connection) != ReceiveResult.Message)
                {
                    listening.Close();
                    return;
                }
                listening.Close();
                while (true)
                {
                    switch (connection.Receive(out EchoContract.Exp.Message m))
                    {
                        case EchoContract.Exp.Tag.Ping:
                            m.TakePing(out int seq, out ExBuffer payload);
                            if (connection.StateName == "Start#1") connection.SendPong(seq, payload);
                            else connection.SendBusy(seq, payload);
                            break;
                        case EchoContract.Exp.Tag.Bye:
                            m.TakeBye();
                            connection.Close();
                            return;
                        case EchoContract.Exp.Tag.ChannelClosed:
                            connection.Close();
                            return;
                    }
                }
            }
        }
        """);

    [Fact]
    public Task AnonymousStatesOfTheRealProtocol() => Verify("""
        public static class Client
        {
            public static void CloseWhileAwaitingTheReply()
            {
                EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
                server.Close();
                client.SendPing(1, ExBuffer.Allocate(8));
                client.Close(); //!SING0006
            }

            public static void PingAfterBye()
            {
                EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
                server.Close();
                client.SendBye();
                client.SendPing(2, ExBuffer.Allocate(8)); //!SING0006
                client.Close();
            }

            public static void RecvXResults([Claims, State("Start")] EchoContract.Imp client)
            {
                client.SendPing(1, ExBuffer.Allocate(8));
                if (client.RecvPong(out int seq, out ExBuffer payload) == ReceiveResult.Message) payload.Free();
                client.Close();
            }
        }
        """);

    [Fact]
    public Task SwitchOverTheGeneratedTagEnum() => Verify("""
        public static class Client
        {
            public static void MissesBusy([Claims, State("Start")] EchoContract.Imp client)
            {
                client.SendPing(1, ExBuffer.Allocate(8));
                switch (client.Receive(out EchoContract.Imp.Message reply)) //!SING0007
                {
                    case EchoContract.Imp.Tag.Pong:
                        reply.TakePong(out int seq, out ExBuffer payload);
                        payload.Free();
                        break;
                    case EchoContract.Imp.Tag.ChannelClosed:
                        break;
                }
                client.Close();
            }

            public static void ServerSideSwitchIsComplete([Claims, State("Start")] EchoContract.Exp server)
            {
                switch (server.Receive(out EchoContract.Exp.Message m))
                {
                    case EchoContract.Exp.Tag.Ping:
                        m.TakePing(out int seq, out ExBuffer payload);
                        server.SendBusy(seq, payload);
                        break;
                    case EchoContract.Exp.Tag.Bye:
                        m.TakeBye();
                        break;
                    case EchoContract.Exp.Tag.ChannelClosed:
                        break;
                }
                server.Close();
            }
        }
        """);

    [Fact]
    public Task EndpointSentInAMessageMustBeInItsInitialState() => Verify("""
        public static class Client
        {
            public static void SendsAFinishedEndpoint([Claims, State("Listening")] EchoListenerContract.Imp listener, [Claims, State("End")] EchoContract.Exp server)
            {
                listener.SendConnect(server); //!SING0006
                listener.Close();
            }

            public static void SendsAnEndpointMidConversation([Claims, State("Listening")] EchoListenerContract.Imp listener, [Claims, State("Start")] EchoContract.Exp server)
            {
                if (server.RecvPing(out int seq, out ExBuffer payload) == ReceiveResult.Message)
                {
                    payload.Free();
                    listener.SendConnect(server); //!SING0006
                }
                else server.Close();
                listener.Close();
            }

            public static void SendsAFreshEndpoint([Claims, State("Listening")] EchoListenerContract.Imp listener)
            {
                EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
                client.Close();
                listener.SendConnect(server);
                listener.Close();
            }
        }
        """);

    [Fact]
    public Task ReceivedEndpointStartsInTheStateTheMessageNames() => Verify("""
        using Demo;

        namespace Demo
        {
            [Contract(Protocol = "state Idle: Hand? -> Idle;")]
            public partial interface HandOff
            {
                [In] void Hand([State("End")] EchoContract.Imp client);
            }
        }

        public static class Service
        {
            public static void Take([Claims, State("Idle")] HandOff.Exp ep)
            {
                if (ep.RecvHand(out EchoContract.Imp client) == ReceiveResult.Message)
                {
                    client.SendPing(1, ExBuffer.Allocate(8)); //!SING0006
                    client.Close();
                }
                ep.Close();
            }

            public static void TakeFromMessage([Claims, State("Idle")] HandOff.Exp ep)
            {
                switch (ep.Receive(out HandOff.Exp.Message m))
                {
                    case HandOff.Exp.Tag.Hand:
                        m.TakeHand(out EchoContract.Imp client);
                        client.Close();
                        break;
                    case HandOff.Exp.Tag.ChannelClosed:
                        break;
                }
                ep.Close();
            }

            public static void Give([Claims, State("Idle")] HandOff.Imp ep)
            {
                EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
                server.Close();
                ep.SendHand(client); //!SING0006
                ep.Close();
            }
        }
        """);

    /// <summary>
    /// A generated Message and an EndpointHandle are used once: a copy moves the value, so taking
    /// (or wrapping) through the original after the copy, or twice, is refused; dropping one is fine.
    /// </summary>
    [Fact]
    public Task MessagesAndHandlesAreUsedOnce() => Verify("""
        public static class Server
        {
            public static void CopyThenTakeBoth([Claims, State("Start")] EchoContract.Exp server)
            {
                switch (server.Receive(out EchoContract.Exp.Message m))
                {
                    case EchoContract.Exp.Tag.Ping:
                        var m2 = m;
                        m2.TakePing(out int seq, out ExBuffer payload);
                        m.TakePing(out seq, out ExBuffer again); //!SING0002
                        server.SendBusy(seq, payload);
                        again.Free();
                        break;
                    case EchoContract.Exp.Tag.Bye:
                        m.TakeBye();
                        m.TakeBye(); //!SING0002
                        break;
                    case EchoContract.Exp.Tag.ChannelClosed:
                        break;
                }
                server.Close();
            }

            public static int KindAfterTake([Claims, State("Start")] EchoContract.Exp server)
            {
                int k = 0;
                if (server.Receive(out EchoContract.Exp.Message m) == EchoContract.Exp.Tag.Bye)
                {
                    m.TakeBye();
                    k = (int)m.Kind; //!SING0001
                }
                server.Close();
                return k; //!SING0003
            }

            public static void Untaken([State("Start")] EchoContract.Exp server)
            {
                server.Receive(out EchoContract.Exp.Message m);
            } //!SING0003

            public static void Discarded([State("Start")] EchoContract.Exp server)
            {
                server.Receive(out _); //!SING0003
            }

            public static void DiscardedExplicitly([State("Start")] EchoContract.Exp server)
            {
                server.Receive(out EchoContract.Exp.Message m);
                m.Discard();
            }

            public static void OneHandleTwoEndpoints([Claims] EndpointHandle h)
            {
                var copy = h;
                var a = EchoContract.Imp.FromHandle(copy, null);
                var b = EchoContract.Imp.FromHandle(h, null); //!SING0002
                a.Close();
                b.Close();
            }

            public static void HandleWrappedTwice([Claims] EndpointHandle h)
            {
                var a = EchoContract.Imp.FromHandle(h, null);
                var b = EchoContract.Imp.FromHandle(h, null); //!SING0002
                a.Close();
                b.Close();
            }

            public static void HandleDropped([Claims] EndpointHandle h)
            {
            }
        }
        """);
}
