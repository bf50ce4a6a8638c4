using System.Text;
using Mono.Cecil;

namespace Singularity.Tools.TrustedSurface;

/// <summary>docs/trusted-surface.md, and what is missing from it (members without a justification).</summary>
public sealed class Report
{
    public string Markdown { get; init; }
    public List<string> Problems { get; } = new();
    public List<SurfaceEntry> Surface { get; } = new();
    public List<UnsafeEntry> Unsafe { get; } = new();

    public const string DocPath = "docs/trusted-surface.md";

    /// <summary>The trusted assemblies, as the build leaves them (assembly and XML documentation side by side).</summary>
    public static IReadOnlyList<string> DefaultAssemblies(string root) => new[]
    {
        Path.Combine(root, "Kernel/Corlib/bin/Release/net10.0/Singularity.Corlib.dll"),
        Path.Combine(root, "Kernel/SipRuntime/bin/Release/net10.0/Singularity.Runtime.dll"),
    };

    public static Report Generate(IReadOnlyList<string> assemblies, DocComments docsOverride = null)
    {
        var allDocs = new List<DocComments>();
        var surface = new List<SurfaceEntry>();
        var unsafeCode = new List<UnsafeEntry>();
        var resolver = new DefaultAssemblyResolver();
        foreach (var d in assemblies.Select(Path.GetDirectoryName).Distinct()) resolver.AddSearchDirectory(d);
        var loaded = new List<AssemblyDefinition>();
        try
        {
            foreach (var path in assemblies)
            {
                var a = AssemblyDefinition.ReadAssembly(path, new ReaderParameters { AssemblyResolver = resolver });
                loaded.Add(a);
                var docs = docsOverride ?? new DocComments(new[] { Path.ChangeExtension(path, ".xml") });
                if (!allDocs.Contains(docs)) allDocs.Add(docs);
                surface.AddRange(TrustedSurface.Surface.Reachable(a, docs));
                unsafeCode.AddRange(UnsafeCode.Scan(a, docs));
            }
        }
        finally
        {
            foreach (var a in loaded) a.Dispose();
        }
        var report = new Report { Markdown = Write(surface, unsafeCode) };
        report.Surface.AddRange(surface);
        report.Unsafe.AddRange(unsafeCode);
        foreach (var e in surface.Where(e => e.Safety == null))
            report.Problems.Add($"{e.Id}: reachable by SIP code but has no <safety> justification in its doc comment");
        // A review that no unsafe method uses any more is stale: the code it describes changed.
        var used = new HashSet<string>(unsafeCode.SelectMany(e => e.ReviewKeys), StringComparer.Ordinal);
        foreach (var (id, member) in allDocs.SelectMany(d => d.AllUnsafeReviews()).Distinct())
        {
            string key = member == null ? (id.StartsWith("T:", StringComparison.Ordinal) ? id + "|" : id) : id + "|" + member;
            if (!used.Contains(key))
                report.Problems.Add(member == null ? $"{id}: has an <unsafe> review but no unsafe code (remove it, or it describes code that moved)"
                                                   : $"{id}: <unsafe member=\"{member}\"> names no unsafe method of the type");
        }
        foreach (var e in unsafeCode.Where(e => e.Review == null))
            report.Problems.Add($"{e.Id}: unsafe code ({e.Because}) without an <unsafe> review (on the method, or <unsafe member=\"{e.Display[..e.Display.IndexOf('(')]}\"> on its type)");
        return report;
    }

    private static string Cell(string s) => (s ?? "**MISSING**").Replace("|", "\\|");

    private static string Write(List<SurfaceEntry> surface, List<UnsafeEntry> unsafeCode)
    {
        var sb = new StringBuilder();
        sb.Append(Header);
        foreach (var asm in surface.Select(e => e.Assembly).Distinct())
        {
            var entries = surface.Where(e => e.Assembly == asm).ToList();
            int types = entries.Count(e => e.Id == e.TypeId);
            sb.Append($"\n## {asm}: {types} types, {entries.Count - types} members\n");
            foreach (var group in entries.GroupBy(e => e.TypeId))
            {
                var type = group.First(e => e.Id == e.TypeId);
                sb.Append($"\n### {type.Id[2..]} ({type.Access} {type.Kind})\n\n");
                sb.Append(Cell(type.Safety)).Append('\n');
                var members = group.Where(e => e.Id != e.TypeId).ToList();
                if (members.Count == 0) continue;
                sb.Append("\n| member | kind | why it is safe for any caller |\n| --- | --- | --- |\n");
                foreach (var m in members)
                    sb.Append($"| `{Cell(m.Display)}` | {(m.Access == "public" ? "" : m.Access + " ")}{m.Kind} | {Cell(m.Safety)} |\n");
            }
        }
        sb.Append(UnsafeHeader);
        foreach (var asm in unsafeCode.Select(e => e.Assembly).Distinct())
        {
            var entries = unsafeCode.Where(e => e.Assembly == asm).ToList();
            sb.Append($"\n### {asm}: {entries.Count} methods\n");
            foreach (var group in entries.GroupBy(e => e.TypeId))
            {
                sb.Append($"\n#### {group.Key[2..]}\n\n");
                // The type's general review, once; rows that rely on it alone point to it.
                string shared = group.First().TypeReviewText;
                if (shared != null) sb.Append(shared).Append("\n\n");
                sb.Append("| method | unsafe because | relies on; who checks it |\n| --- | --- | --- |\n");
                foreach (var e in group)
                    sb.Append($"| `{Cell(e.Display)}` | {Cell(e.Because)} | {(e.TypeReview ? "the type's review (above)" : Cell(e.Review))} |\n");
            }
        }
        return sb.ToString();
    }

    private const string Header = """
        # The trusted surface

        <!-- Generated by `./sing surface` (Tools/TrustedSurface) from the built core library and SIP
             runtime and their XML documentation. Do not edit: change the <safety> and <unsafe> doc
             comments in Kernel/Corlib and Kernel/SipRuntime and regenerate. -->

        Every SIP runs on code it cannot check: the core library (`Singularity.Corlib`) and the SIP
        runtime (`Singularity.Runtime`) are linked into its image and run with its authority over
        the whole address space. This document lists everything of the two that SIP code can reach,
        with why each is safe for a hostile caller, and reviews every piece of unsafe code in them.
        The test `TrustedSurfaceTests` (Tests/TrustedSurface.Tests, part of `./sing test`) fails
        when this file differs from what the assemblies and their comments give, or when a
        reachable member or an unsafe method has no justification.

        **Reachable** means what verified SIP code can name: public types and members, protected
        members of classes a SIP can derive from (including virtual members it can override, which
        trusted code then calls), minus what the verifier refuses whatever the accessibility
        (`Verifier/Verifier/SipPolicy.cs`, the same code the verifier runs): signatures with
        pointer types (SV0101), reflection and interop namespaces other than attributes (SV0108),
        and the trusted-only types and members (SV0110: `System.Buffer`, `Unsafe`,
        `RuntimeHelpers` but `InitializeArray`, `Internal.*`, ...). Internal members are visible
        only to `Singularity.Kernel` and `Singularity.Runtime` (InternalsVisibleTo), names a SIP
        may not take (SV0114).

        **Safe for any caller** means: every argument is hostile (any value, any length, null,
        another thread changing the array or object meanwhile), every field of a struct it
        receives or is called on is hostile (a SIP can make `default(T)` of any public struct, copy
        it, keep it in a heap object and overwrite it from another thread while the call runs),
        and the worst a caller can do is fail itself: a managed exception (`ArgumentException`,
        `IndexOutOfRangeException`, `OverflowException`, `OutOfMemoryException`,
        `InvalidOperationException`, ...) or the SIP's own termination, never a write or read
        outside memory the SIP owns, never a kernel panic. The rules the justifications rely on:

        - *Checked arithmetic*: a size, length, offset or index computed from a caller's values is
          computed in `checked` arithmetic or in a wider type, and compared unsigned against the
          real bound before any memory is touched.
        - *Read once*: a field of `this` or of an argument that another thread can change is read
          once into a local, validated, and only the local is used; what goes to the kernel is a
          copy on the calling thread's stack, which no other thread can reach.
        - *Handles, not pointers*: exchange blocks and endpoints are handles the kernel checks on
          every call (slot and generation, owned by the calling SIP); a forged or stale handle
          finds nothing. An address the kernel returns for a block is used only while the access
          is registered with the runtime's exchange guard, so no other thread of the SIP can free
          or send the block meanwhile.
        - *Opaque structs*: the runtime's structs keep their fields internal or private; `default`
          is a valid value of each (null handle, empty frame).

        **Authority gaps.** Memory safety is not authority: a few members are memory-safe but let
        any SIP do what only some should (kill another SIP, start a boot module, take over a
        service name, own the serial input, see every SIP). Their rows say so ("Authority gap");
        closing them needs grants in the manifest that the kernel checks.

        **Where the text comes from.** Each row's justification is the `<safety>` element of the
        member's XML doc comment (the projects build with `GenerateDocumentationFile`); each
        unsafe method's review is its `<unsafe>` element, or `<unsafe member="Name">` in its
        type's comment, or the type's general `<unsafe>` review (marked "type's review"). Keeping
        the text next to the code means whoever changes a member sees what its safety rests on.
        After changing the surface, run `./sing surface` and commit the regenerated file.

        """;

    private const string UnsafeHeader = """

        ## Review of unsafe code

        Every method of the two assemblies whose IL is not verifiable, found by the tool (pointer
        or function-pointer types in its signature, locals, fields or callees; pinned locals;
        `stackalloc`; `calli`; `cpblk`/`initblk`; `Unsafe` intrinsics; native code behind
        `[RuntimeImport]`; entry points that native code calls, `[RuntimeExport]`), with the
        invariant it relies on and who guarantees it. "The image" is the SIP's (or kernel's) own
        code and data as ilc and ld wrote them, which no SIP code can write; "the kernel" means
        the ABI entry point validates the value (docs/abi.md).

        """;
}
