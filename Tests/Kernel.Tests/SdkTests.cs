using System.Diagnostics;

namespace Singularity.Tests.Kernel;

/// <summary>
/// The SDK for projects outside the tree (issue 15, docs/sdk.md): `./sing new` makes a contract, a
/// SIP, a service and a test in a temporary folder outside the repository, `dotnet build` builds
/// them there against artifacts/sdk (laid out as ./sing sdk does), `dotnet test` runs the generated tests (hosted:
/// the contract, the service's logic and Main, the SIP's Main; and the SIP's own image booted in
/// QEMU by the harness, which finds the system through the SingularitySdk property), and the
/// service boots here from a system manifest under the supervisor, with the client SIP.
/// </summary>
public class SdkTests
{
    internal static readonly TimeSpan BuildPatience = TimeSpan.FromMinutes(8);
    private const string Listening = "kvserver: listening on /service/kvserver";
    private const string Hello = "kvapp: hello from SIP kvapp#1 (arguments: 'from the tree')";

    [Fact]
    public void ProjectsMadeWithSingNewBuildTestAndBootOutsideTheTree()
    {
        LayOutSdk();
        string root = Directory.CreateTempSubdirectory("singularity-sdk-").FullName;
        try
        {
            Assert.False(root.StartsWith(QemuRunner.RepoRoot, StringComparison.Ordinal), "the temporary folder must be outside the tree");
            Run(Sing, "new contract Kv", root).Succeeded().Says("made contract 'Kv'");
            Run(Sing, "new sip KvApp", root).Succeeded();
            Run(Sing, "new service KvServer", root).Succeeded();
            Run(Sing, "new test KvTests --of Kv --of KvApp --of KvServer", root).Succeeded();

            foreach (string project in new[] { "Kv", "KvApp", "KvServer" })
                Run("dotnet", "build " + project, root, BuildPatience).Succeeded();
            string app = Path.Combine(root, "KvApp", "bin", "Debug", "net10.0", "kvapp.elf");
            string server = Path.Combine(root, "KvServer", "bin", "Debug", "net10.0", "kvserver.elf");
            Assert.True(File.Exists(app), "the SIP's image is in its own output: " + app);
            Assert.True(File.Exists(server), "the service's image is in its own output: " + server);
            Assert.True(File.Exists(Path.Combine(root, "KvApp", "bin", "Debug", "net10.0", "kvapp.manifest.json")));

            // Contract round trip, the service's Serve and Main, the SIP's Main (hosted), the SIP in QEMU.
            Run("dotnet", "test KvTests", root, BuildPatience).Succeeded()
                .Says("Passed!").Says("Failed:     0").Says("Passed:     5");

            // The service from a system manifest (under the supervisor, with its grant), and the SIP beside it.
            var boot = BootAssert.Boot(new BootOptions
            {
                Production = true,
                Modules = new[] { app + " from the tree", server },
                SystemManifest = File.ReadAllText(Path.Combine(root, "KvServer", "system.manifest")) + "service kvserver\n",
                // Both lines, in whichever order the two start: the SIP and the supervised service race.
                Script = new[]
                {
                    ScriptStep.Until("the service listening and the SIP's hello", (log, _) =>
                    {
                        int a = log.IndexOf(Listening, StringComparison.Ordinal), b = log.IndexOf(Hello, StringComparison.Ordinal);
                        return a < 0 || b < 0 ? -1 : Math.Max(a + Listening.Length, b + Hello.Length);
                    }, _ => ""),
                },
                StopWhen = "",
                Timeout = TimeSpan.FromSeconds(120),
            });
            boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC")
                .Contains("system manifest: supervisor#")
                .Contains(Hello).Contains(Listening);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void BadCommandLinesOfSingNewSayWhatIsWrongAndWriteNothing()
    {
        string root = Directory.CreateTempSubdirectory("singularity-sdk-bad-").FullName;
        try
        {
            Run(Sing, "new gadget Thing", root).Failed().Says("unknown kind 'gadget'");
            Run(Sing, "new sip 9lives", root).Failed().Says("bad name '9lives'");
            Run(Sing, "new sip Has-Dash", root).Failed().Says("bad name 'Has-Dash'");
            Run(Sing, "new sip", root).Failed().Says("usage: ./sing new");
            Run(Sing, "new sip Thing --of Other", root).Failed().Says("--of is for test projects");
            Run(Sing, "new test Tests --of Missing", root).Failed().Says("--of 'Missing' is not a folder");
            Directory.CreateDirectory(Path.Combine(root, "Taken"));
            Run(Sing, "new sip Thing Taken", root).Failed().Says("'Taken' already exists");
            Assert.Equal(new[] { "Taken" }, Directory.GetFileSystemEntries(root).Select(Path.GetFileName).ToArray());
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(root, "Taken")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    internal static string Sing => Path.Combine(QemuRunner.RepoRoot, "sing");

    // Once per test run: the tests that use the SDK may run at the same time, and a new layout replaces the folder.
    private static readonly Lazy<Outcome> s_sdk = new(() =>
        Run(Path.Combine(QemuRunner.RepoRoot, "Tools", "Sdk", "make-sdk.sh"), QemuRunner.RepoRoot + " " + Path.Combine(QemuRunner.RepoRoot, "artifacts", "sdk"),
            QemuRunner.RepoRoot));

    /// <summary>`./sing sdk` is `./sing build` (done: the suite runs after it) and then this layout step.</summary>
    internal static void LayOutSdk() => s_sdk.Value.Succeeded();

    internal sealed record Outcome(string Command, int ExitCode, string Output)
    {
        public Outcome Succeeded()
        {
            Assert.True(ExitCode == 0, $"'{Command}' exited with {ExitCode}:\n{Output}");
            return this;
        }

        public Outcome Failed()
        {
            Assert.True(ExitCode != 0, $"'{Command}' should have failed:\n{Output}");
            return this;
        }

        public Outcome Says(string text)
        {
            Assert.True(Output.Contains(text, StringComparison.Ordinal), $"'{Command}' did not say \"{text}\":\n{Output}");
            return this;
        }
    }

    internal static Outcome Run(string file, string arguments, string directory, TimeSpan? patience = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)) psi.ArgumentList.Add(a);
        // The test host's MSBuild and test-platform settings are not the outside project's.
        foreach (string name in psi.Environment.Keys.ToList())
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || name.Equals("DOTNET_HOST_PATH", StringComparison.OrdinalIgnoreCase))
                psi.Environment.Remove(name);
        using var process = Process.Start(psi)!;
        var output = new System.Text.StringBuilder();
        var err = Task.Run(() => process.StandardError.ReadToEnd());
        var outText = Task.Run(() => process.StandardOutput.ReadToEnd());
        if (!process.WaitForExit(patience ?? TimeSpan.FromMinutes(1)))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            Assert.Fail($"'{file} {arguments}' did not finish in time:\n{outText.Result}{err.Result}");
        }
        process.WaitForExit();
        return new Outcome(file + " " + arguments, process.ExitCode, outText.Result + err.Result);
    }
}
