using Mono.Cecil;

namespace Singularity.Verifier;

/// <summary>Resolves assembly references only from the given directories (never from the host's .NET).</summary>
internal sealed class DirectoryResolver : IAssemblyResolver
{
    private readonly List<string> _dirs = new();
    private readonly Dictionary<string, AssemblyDefinition> _cache = new();

    private readonly VerifierOptions _options;

    public DirectoryResolver(IEnumerable<string> paths, VerifierOptions options = null)
    {
        _options = options;
        foreach (var p in paths)
        {
            if (string.IsNullOrEmpty(p)) continue;
            var d = File.Exists(p) ? Path.GetDirectoryName(Path.GetFullPath(p)) : Path.GetFullPath(p);
            if (!_dirs.Contains(d)) _dirs.Add(d);
        }
    }

    public AssemblyDefinition Resolve(AssemblyNameReference name) => Resolve(name, new ReaderParameters());

    public AssemblyDefinition Resolve(AssemblyNameReference name, ReaderParameters parameters)
    {
        if (_cache.TryGetValue(name.Name, out var a)) return a;
        // A SIP may not use another assembly (SV0107, reported for the reference itself): what needs
        // one is refused where it is met, not taken as unusable input (exit 1, not 2).
        if (_options != null && !_options.IsAllowed(name.Name) && name.Name != CecilCoreLibrary.Name)
            throw new UnusableInputException(Codes.ForbiddenAssembly, $"uses assembly {name.Name}, which a SIP may not reference (not verified further)");
        foreach (var d in _dirs)
        {
            var f = Path.Combine(d, name.Name + ".dll");
            if (!File.Exists(f)) continue;
            try
            {
                a = AssemblyDefinition.ReadAssembly(new MemoryStream(File.ReadAllBytes(f)), new ReaderParameters { AssemblyResolver = this, ReadingMode = ReadingMode.Deferred });
                CecilCoreLibrary.Fix(a.MainModule);
            }
            catch (Exception e) { throw new UnusableInputException(Codes.UnresolvedReference, $"referenced assembly {f} cannot be read: {e.Message}"); }
            _cache[name.Name] = a;
            return a;
        }
        throw new UnusableInputException(Codes.UnresolvedReference, $"cannot find referenced assembly {name.Name} (searched {string.Join(", ", _dirs)}; add its directory with -r)");
    }

    public void Dispose()
    {
        foreach (var a in _cache.Values) a.Dispose();
        _cache.Clear();
    }
}
