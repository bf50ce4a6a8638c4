using Mono.Cecil;
using Singularity.Verifier;

namespace Singularity.FaultCampaign.Mutation;

/// <summary>
/// A SIP assembly held as bytes, read into a fresh Cecil module whenever one is needed (each mutant
/// is applied to its own copy), with the SIP core library fixed as Cecil's core library.
/// </summary>
public sealed class AssemblyFile
{
    private readonly byte[] _bytes;
    private readonly string[] _referenceDirs;

    public AssemblyFile(string path, IEnumerable<string> referenceDirs)
    {
        Path = System.IO.Path.GetFullPath(path);
        _bytes = File.ReadAllBytes(Path);
        _referenceDirs = referenceDirs.Prepend(System.IO.Path.GetDirectoryName(Path)).Distinct().ToArray();
    }

    public string Path { get; }

    public string FileName => System.IO.Path.GetFileName(Path);

    public IReadOnlyList<string> ReferenceDirs => _referenceDirs;

    public ModuleDefinition Read()
    {
        var resolver = new DefaultAssemblyResolver();
        foreach (var d in resolver.GetSearchDirectories()) resolver.RemoveSearchDirectory(d);
        foreach (var d in _referenceDirs) resolver.AddSearchDirectory(d);
        var module = ModuleDefinition.ReadModule(new MemoryStream(_bytes), new ReaderParameters { AssemblyResolver = resolver, ReadSymbols = false, ReadingMode = ReadingMode.Deferred });
        CecilCoreLibrary.Fix(module);
        return module;
    }

    public static byte[] Write(ModuleDefinition module)
    {
        var ms = new MemoryStream();
        module.Write(ms);
        return ms.ToArray();
    }
}
