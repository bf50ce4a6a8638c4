using Singularity.Verifier;

namespace Singularity.FaultCampaign.Mutation;

/// <summary>What the verifier said of one mutant, applied alone: admitted, or stopped at install time with its codes.</summary>
public sealed record Admission(Mutant Mutant, bool Admitted, string[] Codes, string FirstViolation);

/// <summary>
/// Every mutant goes through the IL verifier before it may run, as any SIP does: the mutant is
/// applied alone to a fresh copy of the assembly, written under the scratch folder with the
/// original's file name, and verified with the same reference folders.
/// </summary>
public sealed class MutantAdmission
{
    private readonly AssemblyFile _assembly;
    private readonly string _scratch;
    private readonly string _sipName;

    public MutantAdmission(AssemblyFile assembly, string scratch, string sipName)
    {
        _assembly = assembly;
        _scratch = scratch;
        _sipName = sipName;
        Directory.CreateDirectory(scratch);
    }

    public VerifierOptions Options()
    {
        var o = new VerifierOptions { DefaultName = _sipName };
        foreach (var d in _assembly.ReferenceDirs) o.ReferencePaths.Add(d);
        return o;
    }

    public Admission Check(Mutant mutant)
    {
        var module = _assembly.Read();
        MutantSchema.ApplySingle(module, mutant);
        var result = Verify(AssemblyFile.Write(module));
        var codes = result.Violations.Select(v => v.Code).Distinct().OrderBy(c => c, StringComparer.Ordinal).ToArray();
        return new Admission(mutant, result.ExitCode == 0, codes, result.Violations.FirstOrDefault()?.ToString());
    }

    /// <summary>Verifies an assembly's bytes as the SIP file (the original's name, so the manifest's default name is the same).</summary>
    public VerificationResult Verify(byte[] bytes)
    {
        string file = Path.Combine(_scratch, _assembly.FileName);
        File.WriteAllBytes(file, bytes);
        return AssemblyVerifier.VerifyFile(file, Options());
    }
}
