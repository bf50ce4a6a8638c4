namespace Singularity.FaultCampaign.Mutation;

/// <summary>The outcome of a build: each mutant's admission and whether the schema assembly verified.</summary>
public sealed record SchemaResult(IReadOnlyList<Admission> Admissions, string SchemaPath, bool SchemaVerified, string SchemaViolations, Singularity.Verifier.Manifest Manifest);

/// <summary>
/// Admits each mutant through the verifier, then builds the admitted ones into one schema assembly
/// and verifies that as well (each clone is the admitted method, so a refusal there is a bug of
/// the engine, reported as such). Writes OUT/NAME.dll and OUT/mutants.tsv (id, type, verdict,
/// codes, where, what).
/// </summary>
public static class SchemaBuilder
{
    public static SchemaResult Build(AssemblyFile file, IReadOnlyList<Mutant> mutants, string outDir, string sipName, TextWriter log)
    {
        Directory.CreateDirectory(outDir);
        var admission = new MutantAdmission(file, Path.Combine(outDir, "scratch"), sipName);
        var admissions = mutants.Select(admission.Check).ToList();
        var admitted = admissions.Where(a => a.Admitted).Select(a => a.Mutant).ToList();
        using (var tsv = new StreamWriter(Path.Combine(outDir, "mutants.tsv")))
        {
            tsv.WriteLine("id\ttype\tverdict\tcodes\tmethod\toffset\tdescription");
            foreach (var a in admissions)
                tsv.WriteLine($"{a.Mutant.Id}\t{a.Mutant.Type.Name()}\t{(a.Admitted ? "admitted" : "refused")}\t{string.Join(",", a.Codes)}\t{a.Mutant.Method}\tIL_{a.Mutant.Offset:x4}\t{a.Mutant.Description}");
        }
        log.WriteLine($"campaign: {mutants.Count} mutants, {admitted.Count} admitted by the verifier, {mutants.Count - admitted.Count} stopped at install time");
        foreach (var g in admissions.GroupBy(a => a.Mutant.Type).OrderBy(g => g.Key))
            log.WriteLine($"  {g.Key.Name(),-18} {g.Count(),6} mutants {g.Count(a => a.Admitted),6} admitted");
        string schemaPath = Path.Combine(outDir, file.FileName);
        if (admitted.Count == 0) return new SchemaResult(admissions, null, false, "no mutant was admitted", null);
        var module = file.Read();
        MutantSchema.Build(module, admitted);
        var bytes = AssemblyFile.Write(module);
        var verdict = admission.Verify(bytes);
        File.WriteAllBytes(schemaPath, bytes);
        string violations = string.Join("\n", verdict.Violations.Select(v => v.ToString()));
        if (verdict.ExitCode != 0) log.WriteLine($"campaign: the schema assembly is refused by the verifier (an engine bug):\n{violations}");
        else log.WriteLine($"campaign: schema {schemaPath} verified ({admitted.Count} mutants, switched by 'mutant=N' in the SIP's arguments)");
        return new SchemaResult(admissions, schemaPath, verdict.ExitCode == 0, violations, verdict.Manifest);
    }
}
