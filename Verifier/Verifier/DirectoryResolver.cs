using Mono.Cecil;

namespace Singularity.Verifier;

/// <summary>Resolves assembly references only from the given directories (never from the host's .NET).</summary>
internal sealed class DirectoryResolver : IAssemblyResolver
{
    private readonly List<string> _dirs = new();
    private readonly Dictionary<string, AssemblyDefinition> _cache = new();

    // Which assemblies the code being verified may use (the trusted ones, admitted libraries); null: any.
    private readonly Func<string, bool> _admitted;

    public DirectoryResolver(IEnumerable<string> paths, Func<string, bool> admitted = null)
    {
        _admitted = admitted;
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
        // A SIP may not use another assembly (SV0107, reported for the reference itself): what needs
        // one is refused where it is met, not taken as unusable input (exit 1, not 2).
        if (_admitted != null && !_admitted(name.Name) && name.Name != CecilCoreLibrary.Name)
            throw new UnusableInputException(Codes.ForbiddenAssembly, $"uses assembly {name.Name}, which a SIP may not reference (not verified further)");
        return Load(name.Name);
    }

    /// <summary>The file that holds assembly <paramref name="name"/> in the first directory that has one, or null.</summary>
    public string Locate(string name)
    {
        if (name.Length == 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name is "." or "..") return null;
        foreach (var d in _dirs)
        {
            var f = Path.Combine(d, name + ".dll");
            if (File.Exists(f)) return f;
        }
        return null;
    }

    /// <summary>Reads assembly <paramref name="name"/> whether or not it is admitted (the verifier checks a library before admitting it).</summary>
    public AssemblyDefinition Load(string name)
    {
        if (_cache.TryGetValue(name, out var a)) return a;
        var f = Locate(name) ?? throw new UnusableInputException(Codes.UnresolvedReference, $"cannot find referenced assembly {name} (searched {string.Join(", ", _dirs)}; add its directory with -r)");
        try
        {
            a = AssemblyDefinition.ReadAssembly(new MemoryStream(File.ReadAllBytes(f)), new ReaderParameters { AssemblyResolver = this, ReadingMode = ReadingMode.Deferred });
            CecilCoreLibrary.Fix(a.MainModule);
        }
        catch (Exception e) { throw new UnusableInputException(Codes.UnresolvedReference, $"referenced assembly {f} cannot be read: {e.Message}"); }
        _cache[name] = a;
        return a;
    }

    public void Dispose()
    {
        foreach (var a in _cache.Values) a.Dispose();
        _cache.Clear();
    }
}
