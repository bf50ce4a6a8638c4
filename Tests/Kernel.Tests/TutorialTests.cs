using System.Text.RegularExpressions;

namespace Singularity.Tests.Kernel;

/// <summary>
/// docs/tutorial.md works as written (issue 15): its projects are made with `./sing new` in a
/// temporary folder outside the tree, every file the page shows (a code block marked
/// `&lt;!-- file: PATH --&gt;`) is written as shown, the contract is referenced as the page says,
/// everything builds with `dotnet build`, and the page's tests pass: the store over an in-memory
/// channel, both Mains as hosted SIPs, and under QEMU a client that carries on while the
/// service crashes and the supervisor restarts it.
/// </summary>
public class TutorialTests
{
    [Fact]
    public void TheKeyValueTutorialBuildsAndItsTestsPass()
    {
        string page = File.ReadAllText(Path.Combine(QemuRunner.RepoRoot, "docs", "tutorial.md"));
        var files = Regex.Matches(page, @"<!-- file: (\S+) -->\n```[a-z]*\n(.*?)\n```", RegexOptions.Singleline)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value + "\n");
        Assert.Equal(6, files.Count);

        SdkTests.LayOutSdk();
        string root = Directory.CreateTempSubdirectory("singularity-tutorial-").FullName;
        try
        {
            SdkTests.Run(SdkTests.Sing, "new contract Kv", root).Succeeded();
            SdkTests.Run(SdkTests.Sing, "new service KvServer", root).Succeeded();
            SdkTests.Run(SdkTests.Sing, "new sip KvClient", root).Succeeded();
            foreach (string project in new[] { "KvServer", "KvClient" })
            {
                // "Reference the contract ... just before the Sip.targets import."
                string csproj = Path.Combine(root, project, project + ".csproj");
                string text = File.ReadAllText(csproj);
                const string targets = "  <Import Project=\"$(SingularitySdk)/Sip.targets\" />";
                Assert.Contains(targets, text);
                File.WriteAllText(csproj, text.Replace(targets, "  <ItemGroup>\n    <ProjectReference Include=\"../Kv/Kv.csproj\" />\n  </ItemGroup>\n" + targets));
            }
            SdkTests.Run(SdkTests.Sing, "new test KvTests --of Kv --of KvServer --of KvClient", root).Succeeded();
            foreach (var (path, text) in files) File.WriteAllText(Path.Combine(root, path), text);

            SdkTests.Run("dotnet", "build KvServer", root, SdkTests.BuildPatience).Succeeded();
            SdkTests.Run("dotnet", "build KvClient", root, SdkTests.BuildPatience).Succeeded();
            SdkTests.Run("dotnet", "test KvTests", root, SdkTests.BuildPatience).Succeeded()
                .Says("Failed:     0").Says("Passed:     3");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
