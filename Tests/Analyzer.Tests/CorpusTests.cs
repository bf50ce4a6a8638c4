using System.Text.RegularExpressions;

namespace Singularity.Tests.Analyzer;

/// <summary>
/// The analyzer corpus (Tests/AnalyzerCorpus, issue 16): real SIP code, one case per file, built
/// through the real SIP pipeline. Every violating case is reported at its marked lines and nowhere
/// else; every clean case builds, verifies and links without a diagnostic.
/// </summary>
[Collection(DotnetBuildCollection.Name)]
public class CorpusTests
{
    const string Main = "public static class Program { public static int Main() => 0; }\n";

    static (string File, string Source)[] Cases(string kind) =>
        Directory.GetFiles(Path.Combine(Repository.Root, "Tests", "AnalyzerCorpus", kind), "*.cs")
            .OrderBy(f => f, StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllText(f))).ToArray();

    static readonly Regex Marker = new(@"//!\s*(SING\d{4})");
    static readonly Regex ErrorLine = new(@"([A-Za-z0-9_]+\.cs)\((\d+),\d+\): (?:error|warning) (SING\d{4})");

    [Fact]
    public void TheCorpusCoversEveryRuleBothWays()
    {
        var violations = Cases("Violations");
        var clean = Cases("Clean");
        Assert.True(violations.Length + clean.Length >= 60, "the corpus has " + (violations.Length + clean.Length) + " cases");
        foreach (int rule in Enumerable.Range(1, 13))
        {
            string id = "Sing" + rule.ToString("D4");
            Assert.True(violations.Any(c => c.File.StartsWith(id + "_", StringComparison.Ordinal)), "no violating case for " + id);
            if (rule is not (10 or 11))
                Assert.True(clean.Any(c => c.File.StartsWith(id + "_", StringComparison.Ordinal)), "no clean case for " + id);
        }
        foreach (var (file, source) in violations)
        {
            string rule = "SING" + file.Substring(4, 4);
            Assert.True(Marker.Matches(source).Any(m => m.Groups[1].Value == rule), file + " marks no " + rule);
        }
    }

    [Fact]
    public void EveryViolationIsReportedAtItsMarkedLinesAndNowhereElse()
    {
        var cases = Cases("Violations");
        var expected = new List<(string File, int Line, string Rule)>();
        foreach (var (file, source) in cases)
        {
            var lines = source.Split('\n');
            for (int i = 0; i < lines.Length; i++)
                foreach (Match m in Marker.Matches(lines[i])) expected.Add((file, i + 1, m.Groups[1].Value));
        }
        var dir = SipEndToEndTests.MakeSip("corpus-violations", cases.Append(("Program.cs", Main)).ToArray(), "<AllowUnsafeBlocks>true</AllowUnsafeBlocks>");
        try
        {
            var (code, output) = Repository.DotnetBuild(dir);
            Assert.True(code != 0, "the build of the violating corpus succeeded:\n" + output);
            var actual = ErrorLine.Matches(output).Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value), m.Groups[3].Value)).Distinct()
                .OrderBy(x => x.Item1, StringComparer.Ordinal).ThenBy(x => x.Item2).ThenBy(x => x.Item3, StringComparer.Ordinal).ToList();
            var want = expected.OrderBy(x => x.File, StringComparer.Ordinal).ThenBy(x => x.Line).ThenBy(x => x.Rule, StringComparer.Ordinal).ToList();
            Assert.True(actual.SequenceEqual(want),
                "expected exactly:\n  " + string.Join("\n  ", want) + "\nactual:\n  " + string.Join("\n  ", actual) + "\n" + output);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void EveryCleanCaseBuildsVerifiesAndLinks()
    {
        var dir = SipEndToEndTests.MakeSip("corpus-clean", Cases("Clean").Append(("Program.cs", Main)).ToArray(), "");
        try
        {
            var (code, output) = Repository.DotnetBuild(dir);
            Assert.True(code == 0, output);
            Assert.DoesNotContain("SING0", output);
            Assert.True(File.Exists(Path.Combine(dir, "out", "analyzere2e.elf")), "no SIP image was linked:\n" + output);
        }
        finally { Directory.Delete(dir, true); }
    }
}
