using System.Text.RegularExpressions;

namespace Singularity.Tests.Kernel;

/// <summary>
/// The image users boot (artifacts/kernel/kernel.elf, from Kernel/Kernel) holds no test code;
/// the test image (kernel-test.elf, the kernel with Kernel/KernelTests) does. Read from ilc's map
/// files (kernel.map.xml, kernel-test.map.xml), which list every compiled method and type and are
/// also what the kernel's symbol table is made from (Kernel/Kernel/ksyms.sh).
/// </summary>
public class ProductionImageTests
{
    /// <summary>The types of the kernel's test module (and the scenarios it shares with a test SIP).</summary>
    public static readonly string[] TestTypes =
        { "SelfTests", "ThreadSelfTests", "KernelBenchmarks", "ExceptionScenarios", "FaultInjection", "TestModule" };

    private static string MapOf(string image) =>
        File.ReadAllText(Path.Combine(QemuRunner.RepoRoot, "artifacts", "kernel", image + ".map.xml"));

    /// <summary>The test types (and test-module symbols) a map names: ilc's symbols are ASSEMBLY_NAMESPACE_TYPE__MEMBER.</summary>
    public static IReadOnlyList<string> TestCodeIn(string map)
    {
        var found = new List<string>();
        foreach (string type in TestTypes)
        {
            var m = Regex.Match(map, @"Name=""[^""]*_" + type + @"(__|"")[^""]*""");
            if (m.Success) found.Add($"{type} ({m.Value})");
        }
        var module = Regex.Match(map, @"Name=""[^""]*Singularity_Kernel_Tests_[^""]*""");
        if (module.Success) found.Add($"the test module's assembly ({module.Value})");
        return found;
    }

    [Fact]
    public void ProductionMapHoldsNoTestCode()
    {
        var found = TestCodeIn(MapOf("kernel"));
        Assert.True(found.Count == 0, "the production kernel image holds test code:\n  " + string.Join("\n  ", found));
    }

    [Fact]
    public void TestMapHoldsEveryTestType()
    {
        string map = MapOf("kernel-test");
        var found = TestCodeIn(map);
        foreach (string type in TestTypes)
            Assert.True(found.Any(f => f.StartsWith(type + " ", StringComparison.Ordinal)), $"the test image lacks {type}: the check above would pass vacuously");
        // The test image is the same kernel: its boot code is there too.
        Assert.Contains("Kernel__Main", map);
    }

    [Fact]
    public void CheckerFindsATestTypeInAMap()
    {
        string map = "<MethodCode Name=\"Singularity_Kernel_Singularity_Kernel_Scheduler__Yield\" Length=\"10\" />\n" +
                     "<MethodCode Name=\"Singularity_Kernel_Singularity_Kernel_FaultInjection__Apply\" Length=\"10\" />";
        var found = TestCodeIn(map);
        Assert.Single(found);
        Assert.StartsWith("FaultInjection ", found[0]);
        Assert.Empty(TestCodeIn("<MethodCode Name=\"Singularity_Kernel_Singularity_Kernel_Scheduler__Yield\" Length=\"10\" />"));
    }

    [Fact]
    public void ProductionImageBootsToTheShell()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            Production = true,
            CommandLine = "sips=console,shell",
            Sips = new[] { "console", "shell" },
            Script = new[] { new ScriptStep("shell: type 'help' for commands", "echo production\n"), new ScriptStep("\nproduction", "") },
            StopWhen = "sh> ",
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        boot.Contains("singularity: boot complete").Contains("console: serving /service/console");
        boot.Match(@"^production\r?$");
    }

    [Fact]
    public void ProductionImageRefusesTestOptionsAndInject()
    {
        // No test module: `test=` and `inject` are unknown there, and boot goes on.
        BootAssert.Boot(new BootOptions
        {
            Production = true,
            CommandLine = "test=timer",
            StopWhen = "kdb> ",
            Script = new[] { new ScriptStep("kdb> ", "inject 1 hang\n"), new ScriptStep("unknown command", "") },
        }).Exited(QemuExit.StoppedByHarness)
            .Contains("warning: unknown self-test 'timer' (this kernel image has no test module")
            .DoesNotContain("selftest timer")
            .Contains("unknown command 'inject 1 hang'");
    }
}
