namespace Singularity.Tests.Kernel;

/// <summary>
/// The C# a programmer expects inside a SIP (issue 15): the core library's generic collections,
/// `foreach` over them and over iterators (interface dispatch through ilc's dispatch cells), tuples,
/// StringBuilder and number parsing. The fixture, Tests/TestSips/Collections, is verified safe C#;
/// each line it prints is a value it computed, compared here with what .NET computes.
/// </summary>
public class CorlibTests
{
    [Fact]
    public void CollectionsIteratorsAndTuplesWorkInAVerifiedSip()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "shutdown",
            Sips = new[] { "collections" },
            Timeout = TimeSpan.FromSeconds(120),
        });
        boot.DoesNotContain("KERNEL PANIC").Exited(QemuExit.Success);
        var expected = new (string Name, string Value)[]
        {
            ("list sum", Enumerable.Range(1, 1000).Sum(i => (long)i * i).ToString()),
            ("list sort", "fig,pear,apple,banana"),
            ("list changed during foreach", "True"),
            ("dict string keys", "3/9"),
            ("dict int keys", "2500/" + IntKeyChecksum()),
            ("dict enum keys", "bFalse"),
            ("dict struct keys", "21"),
            ("dict tuple keys", "2False"),
            ("dict object keys", "5False"),
            ("hashset", Enumerable.Range(0, 300).Select(i => i * i % 97).Distinct().Count() + "/" + (300 - Enumerable.Range(0, 300).Select(i => i * i % 97).Distinct().Count())),
            ("queue", "0123456789x"),
            ("iterator", string.Concat(Fibonacci().Take(12).Select(f => f + " "))),
            ("iterator to list", Fibonacci().ElementAt(19).ToString()),
            ("iterator finally on break", "<a><b>True"),
            ("list as IEnumerable", Fibonacci().Take(20).Sum().ToString()),
            ("interface call on null", "True"),
            ("tuple return", "-2,9,450"),
            ("tuple equality", "TrueFalse"),
            ("int parse", (int.MinValue + 17).ToString()),
            ("long parse", long.MaxValue.ToString()),
            ("byte tryparse", "True255False"),
            ("stringbuilder", "490a"),
            ("enum equals", "TrueFalse"),
        };
        foreach (var (name, value) in expected)
            boot.Contains("collections: " + name + " = " + value);
        boot.DoesNotContain("FAILED");
        var m = boot.Match(@"collections: (\d+) checks, (\d+) failed");
        boot.Check(int.Parse(m.Groups[1].Value) >= expected.Length, "fewer checks ran than the test names");
        boot.Check(m.Groups[2].Value == "0", m.Groups[2].Value + " checks failed");
        boot.Contains("sip collections#1 exited with code 0");
    }

    [Fact]
    public void AnInterfaceCallTheLibraryCannotResolveFailsOnlyThatSip()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "shutdown",
            Sips = new[] { "collections variance" },
            Timeout = TimeSpan.FromSeconds(120),
        });
        boot.DoesNotContain("KERNEL PANIC").Exited(QemuExit.Success);
        boot.Contains("collections: variant cast refused = True");
        boot.Contains("collections: calling through the variant view");
        boot.DoesNotContain("variant call returned");
        boot.Contains("sip collections#1 failed: an interface call could not be resolved");
    }

    [Fact]
    public void RecursionThroughInterfaceCallsOverflowsOnlyThatSipsStack()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "shutdown",
            Sips = new[] { "collections deep" },
            Timeout = TimeSpan.FromSeconds(120),
        });
        boot.DoesNotContain("KERNEL PANIC").Exited(QemuExit.Success);
        boot.Contains("collections: recursing through interface calls");
        boot.DoesNotContain("returned from depth");
        boot.Match(@"sip collections#1 failed: stack overflow at (?!kernel:)");
    }

    private static IEnumerable<int> Fibonacci()
    {
        for (int a = 0, b = 1; ; (a, b) = (b, a + b)) yield return a;
    }

    private static string IntKeyChecksum()
    {
        var d = new Dictionary<int, int>();
        for (int i = 0; i < 5000; i++) d[i * 7919 % 10007] = i;
        for (int i = 0; i < 5000; i += 2) d.Remove(i * 7919 % 10007);
        return d.Sum(kv => (long)(kv.Key ^ kv.Value)).ToString();
    }
}
