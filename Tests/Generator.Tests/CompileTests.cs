using Microsoft.CodeAnalysis;
using static Singularity.Tests.Generator.GeneratorHarness;

namespace Singularity.Tests.Generator;

/// <summary>Generated code compiles, on .NET (hosted runtime) and against our corlib + SIP runtime.</summary>
public class CompileTests
{
    private static (string, string)[] ContractFiles()
    {
        string root = typeof(GeneratorHarness).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().First(a => a.Key == "RepoRoot").Value!;
        // Contracts are grouped by area (Contracts/System, Contracts/Examples); bin/ and obj/ hold build
        // output, and SipLibrary.cs only marks the assembly (with an attribute the hosted runtime lacks).
        string dir = Path.Combine(root, "Contracts");
        var files = Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(p => Path.GetRelativePath(dir, p).Split(Path.DirectorySeparatorChar)[0] is not ("bin" or "obj") && Path.GetFileName(p) != "SipLibrary.cs")
            .Select(p => (p, File.ReadAllText(p))).ToArray();
        if (files.Length < 4) throw new InvalidOperationException($"only {files.Length} contract files found under {dir}");
        return files;
    }

    private const string Samples = """"
        using Singularity.Channels;
        namespace Samples
        {
            public enum Mode : byte { Read, Write }
            public struct Range { public long Start; public int Length; }

            // Every argument kind, sequences, choices, one { }, close targets and a [State] endpoint.
            [Contract(Protocol = """
                state Idle: one {
                    Open? -> (Opened! | Refused!) -> Idle;
                    Transfer? -> Data! -> Done! -> Idle;
                    Fork? -> Idle;
                    Quit? -> close;
                }
                """)]
            public partial interface FileContract
            {
                [In] void Open(Mode mode, Range range, char drive, bool create);
                [Out] void Opened(ExArray<Range> extents);
                [Out] void Refused(int error);
                [In] void Transfer(ExBuffer a, ExBuffer b);
                [Out] void Data(ExBuffer data);
                [Out] void Done();
                [In] void Fork([State("Idle")] Exp other, Samples.Other.Imp more);
                [In] void Quit();
            }

            [Contract(Protocol = "state A: X? -> A;")]
            public partial interface Other { [In] void X(double @value, ulong @event); }
        }

        namespace Samples.Use
        {
            public static class Client
            {
                public static void Go()
                {
                    FileContract.NewChannel(out FileContract.Imp imp, out FileContract.Exp exp);
                    imp.SendOpen(Mode.Read, new Range { Start = 1, Length = 2 }, 'c', true);
                    switch (imp.Receive(out FileContract.Imp.Message m))
                    {
                        case FileContract.Imp.Tag.Opened: m.TakeOpened(out ExArray<Range> e); e.Free(); break;
                        case FileContract.Imp.Tag.Refused: m.TakeRefused(out int error); break;
                        case FileContract.Imp.Tag.ChannelClosed: break;
                    }
                    exp.RecvQuit();
                    imp.Close();
                }
            }
        }
        """";

    [Fact]
    public void SampleAndSystemContractsCompileHosted()
    {
        var files = ContractFiles().Append(("Samples.cs", Samples)).ToArray();
        var result = RunFiles(HostedReferences, files);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public void SampleAndSystemContractsCompileAgainstCorlib()
    {
        var references = KernelReferences();
        Assert.True(references != null, "Kernel/SipRuntime is not built (it is a build dependency of this project)");
        var files = ContractFiles().Append(("Samples.cs", Samples)).ToArray();
        var result = RunFiles(references!, files);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.Errors);
    }

    private static (IEnumerable<Diagnostic> Diagnostics, IEnumerable<Diagnostic> Errors) RunFiles(IEnumerable<MetadataReference> references, (string, string)[] files)
    {
        var compilation = Compilation(references, files);
        Driver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var diagnostics);
        return (diagnostics, output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList());
    }
}
