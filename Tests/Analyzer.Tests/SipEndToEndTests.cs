using System.Text.RegularExpressions;

namespace Singularity.Tests.Analyzer;

/// <summary>
/// The acceptance test of the analyzer on real SIP projects: a SIP project made in a temporary
/// directory under artifacts/ exactly like Tests/TestSips (Directory.Build.props importing
/// SIPs/Sip.props, Directory.Build.targets importing SIPs/Sip.targets, a reference to
/// Contracts/Contracts.csproj), compiled by `dotnet build` against the kernel's core library,
/// SIP runtime and the generated contract endpoints. One build with one file per rule
/// SING0001..SING0011 must fail with exactly those errors at the marked lines and columns; one
/// build of correct code must succeed all the way (analyzer, verifier, ilc, ld).
/// </summary>
[Collection(DotnetBuildCollection.Name)]
public class SipEndToEndTests
{
    /// <summary>Correct SIP code over the real contracts: both the clean and the violating project contain it.</summary>
    const string CleanProgram = """
        using Singularity;
        using Singularity.Channels;
        using Singularity.Contracts;
        using Singularity.Threading;

        public static class Program
        {
            public static int Main()
            {
                EchoListenerContract.NewChannel(out EchoListenerContract.Imp listener, out EchoListenerContract.Exp listening);
                var cell = new TRef<EchoListenerContract.Exp>(listening);
                Thread server = Thread.Start(() => Listen(cell.Acquire()));

                EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp serverEnd);
                listener.SendConnect(serverEnd);
                ExBuffer payload = ExBuffer.Allocate(64);
                payload.WriteInt64(0, 7);
                client.SendPing(1, payload);
                switch (client.Receive(out EchoContract.Imp.Message reply))
                {
                    case EchoContract.Imp.Tag.Pong:
                        reply.TakePong(out int seq, out payload);
                        payload.Free();
                        break;
                    case EchoContract.Imp.Tag.Busy:
                        reply.TakeBusy(out seq, out payload);
                        payload.Free();
                        break;
                    case EchoContract.Imp.Tag.ChannelClosed:
                        break;
                }
                client.Close();
                listener.Close();
                server.Join(5000);
                SendsFramesDirectly();
                return 0;
            }

            // A frame's PutX takes the value ([Claims]): handing a buffer, an array or a channel
            // handle to a frame is no leak for the analyzer, nor for the verifier.
            private static void SendsFramesDirectly()
            {
                var frame = new MessageFrame { Tag = 1 };
                ExBuffer buffer = ExBuffer.Allocate(8);
                frame.PutBuffer(buffer);
                ExArray<int> ints = ExArray<int>.Allocate(2);
                frame.PutArray<int>(ints);
                EndpointHandle.CreateChannel(out EndpointHandle x, out EndpointHandle y);
                frame.PutEndpoint(x);
                frame.PutEndpoint(y);
                FrameWire.NewChannel(out FrameWire sender, out FrameWire receiver);
                try { sender.Send(ref frame); }
                finally { sender.Close(); receiver.Close(); }
            }

            private static void Listen([Claims, State("Listening")] EchoListenerContract.Exp listening)
            {
                EchoContract.Exp connection;
                if (listening.RecvConnect(out connection) != ReceiveResult.Message)
                {
                    if (connection != null) connection.Close();
                    listening.Close();
                    return;
                }
                listening.Close();
                switch (connection.Receive(out EchoContract.Exp.Message m))
                {
                    case EchoContract.Exp.Tag.Ping:
                        m.TakePing(out int seq, out ExBuffer payload);
                        connection.SendPong(seq, payload);
                        break;
                    case EchoContract.Exp.Tag.Bye:
                        m.TakeBye();
                        break;
                    case EchoContract.Exp.Tag.ChannelClosed:
                        break;
                }
                connection.Close();
            }
        }

        // A protocol-less endpoint that sends frames as they are (the Wire pattern of the hostile SIPs).
        internal sealed class FrameWire : Endpoint
        {
            private FrameWire([Claims] EndpointHandle handle) : base(handle, 0) { }

            public static void NewChannel(out FrameWire a, out FrameWire b)
            {
                EndpointHandle.CreateChannel(out EndpointHandle x, out EndpointHandle y);
                a = new FrameWire(x);
                b = new FrameWire(y);
            }

            public void Send(ref MessageFrame frame) => SendFrame(ref frame);
        }
        """;

    /// <summary>
    /// One violation per file. The marker <c>//! SINGnnnn anchor</c> names the rule; the diagnostic
    /// must be on that line, at the column where <c>anchor</c> first occurs on it.
    /// </summary>
    static readonly (string File, string Source)[] Violations =
    {
        ("Sing0001.cs", """
            using Singularity.Channels;
            using Singularity.Contracts;

            public static class Sing0001
            {
                public static void UseAfterSend([Claims, State("Start")] EchoContract.Imp client)
                {
                    ExBuffer payload = ExBuffer.Allocate(16);
                    client.SendPing(1, payload);
                    payload.WriteInt64(0, 1); //! SING0001 payload
                    if (client.RecvPong(out int seq, out payload) == ReceiveResult.Message) payload.Free();
                    client.Close();
                }
            }
            """),
        ("Sing0002.cs", """
            using Singularity.Channels;

            public static class Sing0002
            {
                public static void FreeTwice()
                {
                    ExBuffer buffer = ExBuffer.Allocate(16);
                    buffer.Free();
                    buffer.Free(); //! SING0002 buffer.Free()
                }
            }
            """),
        ("Sing0003.cs", """
            using Singularity.Contracts;

            public static class Sing0003
            {
                public static void LeaksTheServerEnd()
                {
                    EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
                    client.Close();
                } //! SING0003 }
            }
            """),
        ("Sing0004.cs", """
            using Singularity.Contracts;

            public sealed class Sing0004
            {
                private EchoContract.Imp client; //! SING0004 client
            }
            """),
        ("Sing0005.cs", """
            using System;
            using Singularity.Channels;

            public static class Sing0005
            {
                public static int Capture()
                {
                    ExBuffer buffer = ExBuffer.Allocate(16);
                    try
                    {
                        Func<int> length = () => buffer.Length; //! SING0005 buffer.Length
                        return length();
                    }
                    finally { buffer.Free(); }
                }
            }
            """),
        ("Sing0006.cs", """
            using Singularity.Contracts;

            public static class Sing0006
            {
                public static void ByeTwice()
                {
                    EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
                    server.Close();
                    client.SendBye();
                    client.SendBye(); //! SING0006 client.SendBye()
                    client.Close();
                }
            }
            """),
        ("Sing0007.cs", """
            using Singularity.Channels;
            using Singularity.Contracts;

            public static class Sing0007
            {
                public static void ForgetsBusy()
                {
                    EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
                    server.Close();
                    client.SendPing(1, ExBuffer.Allocate(8));
                    switch (client.Receive(out EchoContract.Imp.Message reply)) //! SING0007 switch
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
            }
            """),
        ("Sing0008.cs", """
            public static class Sing0008
            {
                public static unsafe int Zero() //! SING0008 unsafe
                {
                    return 0;
                }
            }
            """),
        ("Sing0009.cs", """
            public static class Sing0009
            {
                private static int s_count; //! SING0009 s_count

                public static int Next() => ++s_count;
            }
            """),
        ("Sing0010.cs", """
            public static class Sing0010
            {
                private static extern int Poke(int value); //! SING0010 Poke
            }
            """),
        ("Sing0011.cs", """
            [System.Runtime.InteropServices.StructLayout((System.Runtime.InteropServices.LayoutKind)2)]
            public struct Sing0011
            {
                [System.Runtime.InteropServices.FieldOffset(0)] public object Reference;
                [System.Runtime.InteropServices.FieldOffset(0)] public long Forged; //! SING0011 Forged
            }
            """),
    };

    static readonly Regex ErrorLine = new(@"([A-Za-z0-9_]+\.cs)\((\d+),(\d+)\): error (SING\d{4})");

    [Fact]
    public void EachRuleFailsTheSipBuildAtItsLine()
    {
        var expected = new List<(string File, int Line, int Col, string Rule)>();
        foreach (var (file, source) in Violations)
        {
            var lines = source.Split('\n');
            int found = 0;
            for (int i = 0; i < lines.Length; i++)
            {
                int marker = lines[i].IndexOf("//!", StringComparison.Ordinal);
                if (marker < 0) continue;
                var parts = lines[i][(marker + 3)..].Trim().Split(' ', 2);
                int col = lines[i].IndexOf(parts[1].Trim(), StringComparison.Ordinal) + 1;
                Assert.True(col > 0 && col <= marker, file + ": anchor not found before the marker");
                expected.Add((file, i + 1, col, parts[0]));
                found++;
            }
            Assert.Equal(1, found);
        }
        Assert.Equal(Enumerable.Range(1, 11).Select(i => "SING" + i.ToString("D4")), expected.Select(e => e.Rule));

        // The C# compiler would refuse 'unsafe' itself (CS0227) before the analyzer's SING0008 is
        // seen; a SIP that turns AllowUnsafeBlocks back on is exactly what SING0008 is for.
        var files = Violations.Append(("Program.cs", CleanProgram)).ToArray();
        var dir = MakeSip("violations", files, "<AllowUnsafeBlocks>true</AllowUnsafeBlocks>");
        try
        {
            var (code, output) = Repository.DotnetBuild(dir);
            Assert.True(code != 0, "the build with violations succeeded:\n" + output);
            foreach (var e in expected)
                Assert.True(output.Contains(e.File + "(" + e.Line + "," + e.Col + "): error " + e.Rule),
                    "missing " + e.File + "(" + e.Line + "," + e.Col + "): error " + e.Rule + " in:\n" + output);
            var actual = ErrorLine.Matches(output).Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value), m.Groups[4].Value))
                .Distinct().OrderBy(x => x.Item1).ToList();
            Assert.True(actual.SequenceEqual(expected.OrderBy(x => x.File)),
                "expected exactly:\n  " + string.Join("\n  ", expected) + "\nactual:\n  " + string.Join("\n  ", actual) + "\n" + output);
            Assert.DoesNotContain("SING0000", output);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void CorrectSipBuildsCleanAndLinks()
    {
        var dir = MakeSip("clean", new[] { ("Program.cs", CleanProgram) }, "");
        try
        {
            var (code, output) = Repository.DotnetBuild(dir);
            Assert.True(code == 0, output);
            Assert.DoesNotContain("SING0", output);
            Assert.True(File.Exists(Path.Combine(dir, "out", "analyzere2e.elf")), "no SIP image was linked:\n" + output);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>A SIP project laid out like Tests/TestSips, in artifacts/analyzer-e2e/NAME-GUID/.</summary>
    internal static string MakeSip(string name, (string File, string Source)[] files, string extraProperties)
    {
        var root = Repository.Root;
        var dir = Path.Combine(root, "artifacts", "analyzer-e2e", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"),
            "<Project>\n  <Import Project=\"" + Path.Combine(root, "SIPs", "Sip.props") + "\" />\n</Project>\n");
        File.WriteAllText(Path.Combine(dir, "Directory.Build.targets"),
            "<Project>\n  <Import Project=\"" + Path.Combine(root, "SIPs", "Sip.targets") + "\" />\n</Project>\n");
        // The image and manifest go to this directory, not to artifacts/sips/ with the real SIPs.
        File.WriteAllText(Path.Combine(dir, "AnalyzerE2e.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <SipName>analyzere2e</SipName>
                <SipOut>$(MSBuildProjectDirectory)/out/</SipOut>
                <SipObj>$(MSBuildProjectDirectory)/obj/sip/</SipObj>
                {extraProperties}
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{Path.Combine(root, "Contracts", "Contracts.csproj")}" />
              </ItemGroup>
            </Project>
            """);
        foreach (var (file, source) in files) File.WriteAllText(Path.Combine(dir, file), source);
        return dir;
    }
}

/// <summary>Tests that run `dotnet build` on projects referencing the repository's own projects run one at a time.</summary>
[CollectionDefinition(Name)]
public class DotnetBuildCollection
{
    public const string Name = "dotnet build";
}
