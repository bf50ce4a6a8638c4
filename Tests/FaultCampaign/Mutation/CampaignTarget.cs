using Mono.Cecil;
using Mono.Cecil.Cil;
using Singularity.Verifier;

namespace Singularity.FaultCampaign.Mutation;

/// <summary>
/// What a campaign mutates: the SIP's own assembly and, unless told otherwise, the SIP libraries it
/// is built with (contracts' generated endpoints, Libraries/*): their code runs inside the SIP and
/// its bugs are the SIP's bugs. A library's mutants are only in the methods the SIP's code can
/// reach (calls, closed over; and the virtual methods of the library types that code reaches), so a
/// contract the SIP never speaks adds no dead mutants. The trusted runtime and core library are
/// never mutated: they are not SIP code.
/// Mutant ids run through the SIP's catalog first, then each library's in file-name order.
/// </summary>
public sealed class CampaignTarget
{
    private readonly Dictionary<string, HashSet<string>> _reachable = new(StringComparer.Ordinal);

    public CampaignTarget(AssemblyFile sip, bool withLibraries)
    {
        Sip = sip;
        var libraries = new List<AssemblyFile>();
        if (withLibraries)
        {
            var module = sip.Read();
            foreach (string path in Directory.GetFiles(Path.GetDirectoryName(sip.Path)!, "*.dll").OrderBy(p => Path.GetFileName(p), StringComparer.Ordinal))
            {
                if (path == sip.Path) continue;
                AssemblyFile lib;
                try
                {
                    lib = new AssemblyFile(path, sip.ReferenceDirs);
                    var asm = lib.Read().Assembly;
                    if (!AssemblyVerifier.IsSipLibrary(asm)) continue;
                }
                catch (BadImageFormatException) { continue; }
                libraries.Add(lib);
            }
            FindReachable(module, libraries);
            libraries.RemoveAll(l => !_reachable.ContainsKey(l.FileName));
        }
        Libraries = libraries;
    }

    public AssemblyFile Sip { get; }

    /// <summary>The SIP libraries whose code the SIP reaches, in file-name order.</summary>
    public IReadOnlyList<AssemblyFile> Libraries { get; }

    /// <summary>The assembly a mutant is in.</summary>
    public AssemblyFile FileOf(Mutant m) =>
        m.Library == null ? Sip : Libraries.FirstOrDefault(l => l.FileName == m.Library)
            ?? throw new InvalidOperationException($"mutant #{m.Id} is in {m.Library}, which this target does not mutate");

    /// <summary>Every mutant: the SIP's, then each library's reachable methods'.</summary>
    public List<Mutant> Catalog()
    {
        var list = MutantCatalog.Enumerate(Sip.Read());
        foreach (var lib in Libraries)
        {
            var reach = _reachable[lib.FileName];
            list.AddRange(MutantCatalog.Enumerate(lib.Read(), m => reach.Contains(m.FullName), list.Count + 1, lib.FileName));
        }
        return list;
    }

    /// <summary>How many methods of each library the SIP reaches (for the log).</summary>
    public IEnumerable<(string Library, int Methods)> Reach => Libraries.Select(l => (l.FileName, _reachable[l.FileName].Count));

    // Calls, constructions and method pointers from the SIP's code into the libraries, closed over
    // the libraries' own code; a reached library type also brings its virtual methods (an interface
    // or virtual call lands in them without naming them).
    private void FindReachable(ModuleDefinition sip, List<AssemblyFile> libraries)
    {
        var names = libraries.ToDictionary(l => l.Read().Assembly.Name.Name, l => l.FileName, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var work = new Stack<MethodDefinition>();
        void Reach(MethodDefinition m)
        {
            if (!names.TryGetValue(m.Module.Assembly.Name.Name, out string file) || !seen.Add(m.FullName)) return;
            if (!_reachable.TryGetValue(file, out var set)) _reachable[file] = set = new HashSet<string>(StringComparer.Ordinal);
            set.Add(m.FullName);
            work.Push(m);
            foreach (var v in m.DeclaringType.Methods.Where(x => x.IsVirtual && x.HasBody)) Reach(v);
        }
        void Scan(MethodDefinition m)
        {
            if (!m.HasBody) return;
            foreach (var i in m.Body.Instructions)
            {
                if (i.Operand is not MethodReference r || i.OpCode.Code is not (Code.Call or Code.Callvirt or Code.Newobj or Code.Ldftn or Code.Ldvirtftn)) continue;
                MethodDefinition d;
                try { d = r.Resolve(); }
                catch (AssemblyResolutionException) { continue; }
                if (d != null) Reach(d);
            }
        }
        foreach (var m in sip.GetTypes().SelectMany(t => t.Methods)) Scan(m);
        while (work.Count > 0) Scan(work.Pop());
    }
}
