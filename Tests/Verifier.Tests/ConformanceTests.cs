using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Singularity.Verifier;

namespace Singularity.Tests.Verifier;

/// <summary>
/// The conformance corpus: IL files in Conformance/ (our own cases, one method per case) assembled
/// with ilasm at test time against Singularity.Corlib and verified. A case method's name carries its
/// verdict and its rule: <c>'valid III.3.1: ...'</c> must verify, <c>'SV0206 III.3.1: ...'</c> must be
/// refused with exactly that code (<c>SV0206+SV0209</c> for several). A case can also be a type named
/// that way (constructors must be named .ctor): the violations of all its methods are its verdict.
/// Every other method of the corpus (helpers) must verify. The index of rules is the conformance table in docs/verifier.md; every rule
/// in it needs a valid and an invalid case (a rule marked "refused", an instruction SIPs may never
/// use, needs an invalid case and may have no valid one).
/// </summary>
public class ConformanceTests
{
    public static readonly string Dir = Path.Combine(Support.Root, "Tests", "Verifier.Tests", "Conformance");
    private const string Prelude = "prelude.il";

    /// <summary>A case's name: its verdict, its rule, a description.</summary>
    private static readonly Regex CaseName = new(@"^(?<expect>valid|SV\d{4}(?:\+SV\d{4})*) (?<rule>(?:I|II|III)\.\d+(?:\.\d+)*): .+$", RegexOptions.Compiled);
    /// <summary>A method's name is the quoted name before its parameters (and generic parameters); a class's the first quoted name of its line.</summary>
    private static readonly Regex Decl = new(@"\.(?:(?<kind>method)\b[^(\n]*?'(?<name>[^']+)'\s*(?:<[^>(]*>\s*)?\(|(?<kind>class)\b[^'\n{]*?'(?<name>[^']+)')", RegexOptions.Compiled);

    public sealed record Case(string File, string Name, string Expect, string Rule, bool IsType)
    {
        public bool Valid => Expect == "valid";
        public string[] Codes => Valid ? Array.Empty<string>() : Expect.Split('+');
    }

    /// <summary>The cases of a file, read from its text (method and class declarations whose names follow <see cref="CaseName"/>).</summary>
    public static List<Case> CasesOf(string file)
    {
        var list = new List<Case>();
        foreach (Match m in Decl.Matches(File.ReadAllText(Path.Combine(Dir, file))))
        {
            var c = CaseName.Match(m.Groups["name"].Value);
            if (c.Success) list.Add(new Case(file, m.Groups["name"].Value, c.Groups["expect"].Value, c.Groups["rule"].Value, m.Groups["kind"].Value == "class"));
        }
        return list;
    }

    public static IEnumerable<string> CorpusFiles() => Directory.GetFiles(Dir, "*.il").Select(Path.GetFileName).Where(f => f != Prelude).OrderBy(f => f, StringComparer.Ordinal);

    public static IEnumerable<object[]> Files() => CorpusFiles().Select(f => new object[] { f });

    public static IEnumerable<object[]> Cases() => CorpusFiles().SelectMany(CasesOf).Select(c => new object[] { c.File, c.Name });

    // ----- assembling and verifying (once per file) ---------------------------------------------

    private static readonly string Ilasm = typeof(ConformanceTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "Ilasm").Value;

    private static readonly ConcurrentDictionary<string, Lazy<string>> s_dlls = new();
    private static readonly ConcurrentDictionary<string, Lazy<VerificationResult>> s_results = new();

    private static string Assembled(string file) => s_dlls.GetOrAdd(file, f => new Lazy<string>(() => Assemble(f))).Value;

    private static VerificationResult Verified(string file) => s_results.GetOrAdd(file, f => new Lazy<VerificationResult>(() => Support.Verify(Assembled(f)))).Value;

    /// <summary>Assembles the prelude and <paramref name="file"/> into one library.</summary>
    public static string Assemble(string file)
    {
        Assert.True(File.Exists(Ilasm), $"ilasm not found at {Ilasm} (restored by the PackageDownload in Verifier.Tests.csproj)");
        var dir = Support.NewDir();
        var output = Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + ".dll");
        var psi = new ProcessStartInfo(Ilasm) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-dll", "-quiet", "-nologo", "-output=" + output, Path.Combine(Dir, Prelude), Path.Combine(Dir, file) }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0 && File.Exists(output), $"ilasm failed on {file} (exit {p.ExitCode}):\n{stdout.Result}\n{stderr}");
        return output;
    }

    private static string MethodOf(Violation v) => v.Where != null && v.Where.Contains("::") ? v.Where.Substring(v.Where.IndexOf("::", StringComparison.Ordinal) + 2) : null;

    private static string TypeOf(Violation v)
    {
        if (v.Where == null) return null;
        int i = v.Where.IndexOf("::", StringComparison.Ordinal);
        var t = i < 0 ? v.Where : v.Where.Substring(0, i);
        return t.Substring(t.LastIndexOf('/') + 1);
    }

    /// <summary>The case a violation belongs to (a case method, or a method of a case type), or null.</summary>
    private static Case CaseOf(Violation v, List<Case> cases)
        => cases.FirstOrDefault(c => !c.IsType && c.Name == MethodOf(v)) ?? cases.FirstOrDefault(c => c.IsType && c.Name == TypeOf(v));

    // ----- the tests ------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Cases))]
    public void Verdict(string file, string name)
    {
        var cases = CasesOf(file);
        var c = cases.Single(x => x.Name == name);
        var found = Verified(file).Violations.Where(v => CaseOf(v, cases) == c).ToList();
        string got = found.Count == 0 ? "verified" : string.Join("\n", found);
        if (c.Valid) Assert.True(found.Count == 0, $"{name}: expected to verify, got:\n{got}");
        else
        {
            var codes = found.Select(v => v.Code).Distinct().OrderBy(x => x).ToArray();
            Assert.True(codes.SequenceEqual(c.Codes.OrderBy(x => x)), $"{name}: expected {c.Expect}, got:\n{got}");
        }
    }

    /// <summary>Only invalid cases are refused: helpers, types and the assembly itself verify, and every case's name is unique in its file.</summary>
    [Theory]
    [MemberData(nameof(Files))]
    public void NothingElseIsRefused(string file)
    {
        var cases = CasesOf(file);
        var dup = cases.GroupBy(c => c.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(dup.Count == 0, $"{file}: case names used twice: {string.Join(", ", dup)}");
        var stray = Verified(file).Violations.Where(v => CaseOf(v, cases) is not { Valid: false }).ToList();
        Assert.True(stray.Count == 0, $"{file}: refused outside the invalid cases:\n{string.Join("\n", stray)}");
    }

    public sealed record Rule(string Id, string What, bool Refused, string[] Files);

    /// <summary>The rows of the conformance index in docs/verifier.md (between its markers).</summary>
    public static List<Rule> Index()
    {
        var text = File.ReadAllLines(Path.Combine(Support.Root, "docs", "verifier.md"));
        int start = Array.FindIndex(text, l => l.Contains("<!-- conformance-index -->"));
        int end = Array.FindIndex(text, l => l.Contains("<!-- /conformance-index -->"));
        Assert.True(start >= 0 && end > start, "docs/verifier.md has no conformance index (<!-- conformance-index --> ... <!-- /conformance-index -->)");
        var rules = new List<Rule>();
        for (int i = start + 1; i < end; i++)
        {
            var cells = text[i].Split('|').Select(x => x.Trim()).ToArray();
            if (cells.Length < 6 || !Regex.IsMatch(cells[1], @"^(I|II|III)\.\d")) continue;
            rules.Add(new Rule(cells[1], cells[2], cells[3] == "refused", cells[4].Split(',').Select(f => f.Trim().Trim('`')).ToArray()));
        }
        return rules;
    }

    [Fact]
    public void EveryRuleOfTheIndexHasAValidAndAnInvalidCase()
    {
        var all = CorpusFiles().SelectMany(CasesOf).ToList();
        var index = Index();
        Assert.NotEmpty(index);
        var missing = new List<string>();
        foreach (var r in index)
        {
            var cases = all.Where(c => c.Rule == r.Id).ToList();
            if (!cases.Any(c => !c.Valid)) missing.Add($"{r.Id} ({r.What}): no invalid case");
            if (r.Refused && cases.Any(c => c.Valid)) missing.Add($"{r.Id} ({r.What}): marked refused but has a valid case");
            if (!r.Refused && !cases.Any(c => c.Valid)) missing.Add($"{r.Id} ({r.What}): no valid case");
            var files = cases.Select(c => c.File).Distinct().OrderBy(f => f, StringComparer.Ordinal).ToArray();
            if (cases.Count > 0 && !files.SequenceEqual(r.Files.OrderBy(f => f, StringComparer.Ordinal))) missing.Add($"{r.Id} ({r.What}): the index names {string.Join(", ", r.Files)}, the cases are in {string.Join(", ", files)}");
        }
        Assert.True(missing.Count == 0, "conformance index (docs/verifier.md):\n" + string.Join("\n", missing));
        Assert.Equal(index.Count, index.Select(r => r.Id).Distinct().Count());
        WriteCaseList(index, all);
    }

    /// <summary>The generated list of every rule's cases: artifacts/verifier-conformance.md.</summary>
    private static void WriteCaseList(List<Rule> index, List<Case> all)
    {
        var sb = new System.Text.StringBuilder("# Verifier conformance cases (generated by ConformanceTests)\n\n");
        foreach (var r in index)
        {
            sb.Append($"## {r.Id} {r.What}\n\n");
            foreach (var c in all.Where(c => c.Rule == r.Id)) sb.Append($"- {(c.Valid ? "valid" : "refused " + c.Expect)}: {c.Name.Substring(c.Name.IndexOf(": ", StringComparison.Ordinal) + 2)} ({c.File})\n");
            sb.Append('\n');
        }
        Directory.CreateDirectory(Path.Combine(Support.Root, "artifacts"));
        File.WriteAllText(Path.Combine(Support.Root, "artifacts", "verifier-conformance.md"), sb.ToString());
    }

    [Fact]
    public void EveryCaseNamesARuleOfTheIndex()
    {
        var ids = Index().Select(r => r.Id).ToHashSet();
        var stray = CorpusFiles().SelectMany(CasesOf).Where(c => !ids.Contains(c.Rule)).Select(c => $"{c.File}: {c.Name}").ToList();
        Assert.True(stray.Count == 0, "cases whose rule is not in the conformance index of docs/verifier.md:\n" + string.Join("\n", stray));
    }

    /// <summary>The scan of the IL text finds every case the assembled corpus has (so no case goes untested).</summary>
    [Theory]
    [MemberData(nameof(Files))]
    public void TheTextScanFindsEveryCase(string file)
    {
        var dll = Assembled(file);
        using var module = Mono.Cecil.ModuleDefinition.ReadModule(dll);
        var inModule = module.GetTypes().SelectMany(t => t.Methods.Select(m => m.Name).Append(string.IsNullOrEmpty(t.Namespace) ? t.Name : t.Namespace + "." + t.Name)).Where(n => CaseName.IsMatch(n)).ToHashSet();
        var scanned = CasesOf(file).Select(c => c.Name).ToHashSet();
        Assert.True(inModule.SetEquals(scanned), $"{file}: cases in the assembly but not found in the text: {string.Join(", ", inModule.Except(scanned))}; found in the text only: {string.Join(", ", scanned.Except(inModule))}");
    }
}
