using Singularity.Verifier;

namespace Singularity.FaultCampaign.Mutation;

/// <summary>What the verifier said of one mutant, applied alone: admitted, or stopped at install time with its codes.</summary>
public sealed record Admission(Mutant Mutant, bool Admitted, string[] Codes, string FirstViolation);

/// <summary>
/// Every mutant goes through the IL verifier before it may run, as any SIP does: the mutant is
/// applied alone to a fresh copy of its assembly and the SIP is verified as the build would. A SIP
/// mutant is written under the scratch folder with the original's file name and verified with the
/// same reference folders; a library mutant replaces its library in a copy of the SIP's folder,
/// and the SIP is verified against that copy (the verifier verifies every library a SIP references,
/// so the mutated library is checked with the SIP rules there).
/// </summary>
public sealed class MutantAdmission
{
    private readonly CampaignTarget _target;
    private readonly string _scratch;
    private readonly string _sipName;
    private string _libraryCopy;

    public MutantAdmission(AssemblyFile assembly, string scratch, string sipName) : this(new CampaignTarget(assembly, withLibraries: false), scratch, sipName) { }

    public MutantAdmission(CampaignTarget target, string scratch, string sipName)
    {
        _target = target;
        _scratch = scratch;
        _sipName = sipName;
        Directory.CreateDirectory(scratch);
    }

    private AssemblyFile Sip => _target.Sip;

    public VerifierOptions Options() => Options(Sip.ReferenceDirs);

    private VerifierOptions Options(IEnumerable<string> referenceDirs)
    {
        var o = new VerifierOptions { DefaultName = _sipName };
        foreach (var d in referenceDirs) o.ReferencePaths.Add(d);
        return o;
    }

    public Admission Check(Mutant mutant)
    {
        var file = _target.FileOf(mutant);
        var module = file.Read();
        MutantSchema.ApplySingle(module, mutant);
        var bytes = AssemblyFile.Write(module);
        var result = mutant.Library == null ? Verify(bytes) : VerifyWithLibraries(new Dictionary<string, byte[]> { [mutant.Library] = bytes }, File.ReadAllBytes(Sip.Path), LibraryCopy());
        var codes = result.Violations.Select(v => v.Code).Distinct().OrderBy(c => c, StringComparer.Ordinal).ToArray();
        return new Admission(mutant, result.ExitCode == 0, codes, result.Violations.FirstOrDefault()?.ToString());
    }

    /// <summary>Verifies an assembly's bytes as the SIP file (the original's name, so the manifest's default name is the same).</summary>
    public VerificationResult Verify(byte[] bytes)
    {
        string file = Path.Combine(_scratch, Sip.FileName);
        File.WriteAllBytes(file, bytes);
        return AssemblyVerifier.VerifyFile(file, Options());
    }

    /// <summary>
    /// Verifies the SIP's bytes against <paramref name="folder"/>, a copy of the SIP's folder, with
    /// <paramref name="libraries"/> (file name to bytes) written over the originals there first.
    /// </summary>
    public VerificationResult VerifyWithLibraries(IReadOnlyDictionary<string, byte[]> libraries, byte[] sipBytes, string folder)
    {
        foreach (var (name, lib) in libraries) File.WriteAllBytes(Path.Combine(folder, name), lib);
        string file = Path.Combine(folder, Sip.FileName);
        File.WriteAllBytes(file, sipBytes);
        try
        {
            string sipDir = Path.GetDirectoryName(Sip.Path);
            return AssemblyVerifier.VerifyFile(file, Options(Sip.ReferenceDirs.Where(d => d != sipDir).Prepend(folder)));
        }
        finally
        {
            // The copy is the original again for the next mutant (a schema folder keeps its libraries).
            if (folder == _libraryCopy)
                foreach (var name in libraries.Keys) File.Copy(Path.Combine(Path.GetDirectoryName(Sip.Path)!, name), Path.Combine(folder, name), overwrite: true);
        }
    }

    /// <summary>A copy of every assembly in the SIP's folder, made once.</summary>
    private string LibraryCopy() => _libraryCopy ??= CopySipFolder(Path.Combine(_scratch, "libraries"));

    /// <summary>Copies the assemblies of the SIP's folder into <paramref name="folder"/> (made afresh).</summary>
    public string CopySipFolder(string folder)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, true);
        Directory.CreateDirectory(folder);
        foreach (var dll in Directory.GetFiles(Path.GetDirectoryName(Sip.Path)!, "*.dll"))
            File.Copy(dll, Path.Combine(folder, Path.GetFileName(dll)));
        return folder;
    }
}
