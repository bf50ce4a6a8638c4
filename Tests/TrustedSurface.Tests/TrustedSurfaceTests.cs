using System.Xml.Linq;
using Singularity.Tools.TrustedSurface;

namespace Singularity.Tests.TrustedSurface;

/// <summary>
/// docs/trusted-surface.md against the built trusted assemblies: it must be current (regenerate
/// with ./sing surface), and nothing SIP code can reach, and no unsafe method, may go without its
/// justification.
/// </summary>
public class TrustedSurfaceTests
{
    private static readonly string Root = FindRoot();
    private static readonly Lazy<Report> Current = new(() => Report.Generate(Report.DefaultAssemblies(Root)));

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Singularity.sln"))) return d.FullName;
        throw new InvalidOperationException("no Singularity.sln above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void TheCommittedTableIsWhatTheAssembliesGive()
    {
        string committed = File.ReadAllText(Path.Combine(Root, Report.DocPath)).ReplaceLineEndings("\n");
        string generated = Current.Value.Markdown;
        if (committed == generated) return;
        string[] a = committed.Split('\n'), b = generated.Split('\n');
        int i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i]) i++;
        Assert.Fail($"{Report.DocPath} is stale (run ./sing surface and review the change). First difference at line {i + 1}:\n"
                    + $"  committed: {(i < a.Length ? a[i] : "(end of file)")}\n  generated: {(i < b.Length ? b[i] : "(end of file)")}");
    }

    [Fact]
    public void EveryReachableTypeAndMemberHasASafetyJustification()
    {
        var missing = Current.Value.Problems.Where(p => p.Contains("<safety>")).ToList();
        Assert.True(missing.Count == 0, "without <safety>:\n" + string.Join("\n", missing));
        Assert.NotEmpty(Current.Value.Surface);
    }

    [Fact]
    public void EveryUnsafeMethodHasAReviewAndNoReviewIsStale()
    {
        var problems = Current.Value.Problems.Where(p => p.Contains("<unsafe")).ToList();
        Assert.True(problems.Count == 0, "unsafe-code reviews:\n" + string.Join("\n", problems));
        Assert.NotEmpty(Current.Value.Unsafe);
    }

    [Theory]
    // Reachable: public members, protected members of classes a SIP can derive from, InitializeArray.
    [InlineData("M:System.String.Concat(System.String[])", true)]
    [InlineData("M:Singularity.Channels.MessageFrame.Put``1(``0)", true)]
    [InlineData("M:Singularity.Channels.Endpoint.SendFrame(Singularity.Channels.MessageFrame@)", true)]
    [InlineData("M:System.Runtime.CompilerServices.RuntimeHelpers.InitializeArray(System.Array,System.RuntimeFieldHandle)", true)]
    [InlineData("P:Singularity.Ipc.ExBlock.Item(System.Int32)", true)]
    // Refused by the verifier's policy although public: trusted-only types and members, pointers.
    [InlineData("M:System.Buffer.MemoryCopy(System.Void*,System.Void*,System.Int64,System.Int64)", false)]
    [InlineData("M:System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences``1", false)]
    [InlineData("M:System.IntPtr.#ctor(System.Void*)", false)]
    // Internal: not visible outside the trusted assemblies.
    [InlineData("M:System.String.FromAscii(System.Byte*,System.Int32)", false)]
    [InlineData("F:Singularity.Ipc.ExBlock.Handle", false)]
    [InlineData("T:System.Number", false)]
    [InlineData("T:Singularity.Abi.KernelAbi", false)]
    [InlineData("T:System.Array`1", false)]
    public void TheSurfaceIsWhatTheVerifierLetsSipCodeReach(string id, bool reachable)
    {
        Assert.Equal(reachable, Current.Value.Surface.Any(e => e.Id == id));
    }

    [Fact]
    public void AMemberWithoutJustificationIsReportedByItsId()
    {
        // The real comments, less the justification of one member: the report must name it.
        var members = new Dictionary<string, XElement>(StringComparer.Ordinal);
        foreach (var dll in Report.DefaultAssemblies(Root))
            foreach (var m in XDocument.Load(Path.ChangeExtension(dll, ".xml")).Descendants("member"))
                members[(string)m.Attribute("name")] = m;
        const string victim = "M:System.String.Concat(System.String[])";
        Assert.True(members.ContainsKey(victim), "the test's victim member has no doc comment to remove");
        members[victim] = new XElement("member", new XAttribute("name", victim));
        var report = Report.Generate(Report.DefaultAssemblies(Root), new DocComments(members));
        Assert.Contains(report.Problems, p => p.StartsWith(victim + ": reachable by SIP code but has no <safety>", StringComparison.Ordinal));
        Assert.Contains("**MISSING**", report.Markdown);
    }

    [Fact]
    public void AnUnsafeMethodWithoutReviewIsReportedByItsId()
    {
        var members = new Dictionary<string, XElement>(StringComparer.Ordinal);
        foreach (var dll in Report.DefaultAssemblies(Root))
            foreach (var m in XDocument.Load(Path.ChangeExtension(dll, ".xml")).Descendants("member"))
                members[(string)m.Attribute("name")] = m;
        // Drop every review that could cover the concat copy: its own and its type's.
        const string victim = "M:System.String.CopyRange(System.String,System.Int32,System.String,System.Int32,System.Int32)";
        members.Remove(victim);
        members.Remove("T:System.String");
        var report = Report.Generate(Report.DefaultAssemblies(Root), new DocComments(members));
        Assert.Contains(report.Problems, p => p.StartsWith(victim + ": unsafe code", StringComparison.Ordinal));
    }
}
