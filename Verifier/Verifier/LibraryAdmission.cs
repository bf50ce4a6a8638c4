using System.Collections.Concurrent;
using System.Security.Cryptography;
using Mono.Cecil;

namespace Singularity.Verifier;

/// <summary>
/// Which assemblies a SIP may reference. Besides the core library and the trusted runtime (by
/// name: <see cref="VerifierOptions.AllowedAssemblies"/>), only SIP libraries: assemblies that
/// carry <c>[assembly: Singularity.SipLibrary]</c> (the attribute type defined in
/// Singularity.Runtime, not a look-alike) and that themselves pass verification with the same
/// rules as a SIP. The verifier finds each referenced library among the reference directories,
/// checks the attribute and verifies it (and, the same way, the libraries it references) before
/// it verifies the SIP; a reference that fails any of this is SV0107, and a library's own
/// violations are reported under the library's file name. No name or prefix admits an assembly:
/// contract assemblies are SIP libraries too. Results are cached per process by the library's
/// bytes, so the tests and the fuzzer verify a library once.
/// </summary>
public sealed partial class AssemblyVerifier
{
    /// <summary>The attribute that declares a SIP library, and the assembly that must define it.</summary>
    public const string LibraryAttribute = "Singularity.SipLibraryAttribute";
    public const string LibraryAttributeAssembly = "Singularity.Runtime";

    // Libraries this verification admitted (the resolver lets the SIP's code use them).
    private readonly HashSet<string> _admitted = new(StringComparer.Ordinal);

    // Assemblies (names and full paths) being verified up the chain that led here: a reference
    // cycle, even one through a file's own name, is not followed again.
    private HashSet<string> _inProgress = new(StringComparer.Ordinal);

    /// <summary>How deep libraries may reference libraries before the verifier refuses the chain.</summary>
    public const int MaxLibraryDepth = 16;

    // Verified libraries: key (content hash, reference directories, bound) -> their violations.
    private static readonly ConcurrentDictionary<string, Violation[]> s_libraries = new();

    /// <summary>Whether a SIP's code may use assembly <paramref name="name"/>: a trusted one, or a library this verification admitted.</summary>
    internal bool IsAdmitted(string name) => _options.IsAllowed(name) || _admitted.Contains(name);

    /// <summary>Whether <paramref name="a"/> declares itself a SIP library with the runtime's attribute.</summary>
    public static bool IsSipLibrary(AssemblyDefinition a) =>
        a.CustomAttributes.Any(c => c.AttributeType.FullName == LibraryAttribute
                                    && c.AttributeType.Scope is AssemblyNameReference s && s.Name == LibraryAttributeAssembly);

    /// <summary>Admits or refuses (SV0107) each assembly the module references, verifying the libraries among them.</summary>
    private void AdmitReferences(DirectoryResolver resolver)
    {
        string asm = _module.Assembly.Name.Name;
        foreach (var name in _module.AssemblyReferences.Select(r => r.Name).Distinct(StringComparer.Ordinal).ToList())
        {
            if (_options.IsAllowed(name) || name == CecilCoreLibrary.Name) continue;
            if (_inProgress.Contains(name)) { _admitted.Add(name); continue; }
            string why = AdmitLibrary(resolver, name);
            if (why == null) _admitted.Add(name);
            else Report(Codes.ForbiddenAssembly, asm, ForbiddenReference(name) + why);
        }
    }

    /// <summary>Null when <paramref name="name"/> is a verified SIP library; otherwise why not (appended to the SV0107 message).</summary>
    private string AdmitLibrary(DirectoryResolver resolver, string name)
    {
        string path = resolver.Locate(name);
        if (path == null) return $"; {name} is not found among the references (-r), so it cannot be verified as one";
        if (Path.GetFullPath(path) == _fullPath || _inProgress.Contains(Path.GetFullPath(path))) return null;
        if (_inProgress.Count >= 2 * MaxLibraryDepth) return $"; libraries reference libraries more than {MaxLibraryDepth} deep";
        AssemblyDefinition library;
        try { library = resolver.Load(name); }
        catch (UnusableInputException e) { return $"; {name} cannot be read ({e.Message})"; }
        if (!IsSipLibrary(library)) return $"; {name} does not declare itself one ([assembly: SipLibrary] from {LibraryAttributeAssembly})";
        var violations = VerifyLibrary(path);
        if (violations.Length == 0) return null;
        foreach (var v in violations)
            if (!_result.Violations.Contains(v)) _result.Violations.Add(v);
        return $"; the library {name} fails verification ({violations.Length} violation{(violations.Length == 1 ? "" : "s")}, reported under {Path.GetFileName(path)})";
    }

    /// <summary>Verifies the library at <paramref name="path"/> with the SIP rules (never manifest-only); its violations, empty when it verifies.</summary>
    private Violation[] VerifyLibrary(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) { return new[] { new Violation(Path.GetFileName(path), Codes.IoError, null, null, $"cannot read the file: {e.Message}") }; }
        var options = _options.ForLibrary();
        string key = Convert.ToHexString(SHA256.HashData(bytes)) + "|" + Path.GetDirectoryName(Path.GetFullPath(path)) + "|"
                     + string.Join("|", options.ReferencePaths.Select(Path.GetFullPath)) + "|" + options.MaxBlockVisits;
        if (s_libraries.TryGetValue(key, out var known)) return known;
        var nested = new AssemblyVerifier(options) { _inProgress = new HashSet<string>(_inProgress, StringComparer.Ordinal) { _module.Assembly.Name.Name, _fullPath } };
        var r = nested.Verify(path);
        var found = r.Violations.ToArray();
        // A library verified inside a cycle saw its callers as admitted without their verdict: not cached.
        if (_inProgress.Count == 0) s_libraries.TryAdd(key, found);
        return found;
    }
}
