namespace Singularity.FaultCampaign.Mutation;

/// <summary>
/// The outcome of a build: each mutant's admission, the SIP schema (OUT/NAME.dll) and the folder
/// the image takes its libraries from (OUT/libraries: the SIP's own, with each mutated library's
/// schema in place of the original), and whether the whole verified.
/// </summary>
public sealed record SchemaResult(IReadOnlyList<Admission> Admissions, string SchemaPath, bool SchemaVerified, string SchemaViolations, Singularity.Verifier.Manifest Manifest)
{
    public string LibraryDir { get; init; }
}

/// <summary>
/// Admits each mutant through the verifier, then builds the admitted ones into schema assemblies
/// (one per mutated assembly: the SIP's and each library's) and verifies the SIP with them as a
/// whole (each clone is the admitted method, so a refusal there is a bug of the engine, reported as
/// such). Writes OUT/NAME.dll, OUT/libraries/ and OUT/mutants.tsv (id, type, verdict, codes,
/// assembly, where, what).
/// </summary>
public static class SchemaBuilder
{
    public static SchemaResult Build(AssemblyFile file, IReadOnlyList<Mutant> mutants, string outDir, string sipName, TextWriter log) =>
        Build(new CampaignTarget(file, withLibraries: false), mutants, outDir, sipName, log);

    public static SchemaResult Build(CampaignTarget target, IReadOnlyList<Mutant> mutants, string outDir, string sipName, TextWriter log)
    {
        Directory.CreateDirectory(outDir);
        var file = target.Sip;
        var admission = new MutantAdmission(target, Path.Combine(outDir, "scratch"), sipName);
        var admissions = mutants.Select(admission.Check).ToList();
        var admitted = admissions.Where(a => a.Admitted).Select(a => a.Mutant).ToList();
        using (var tsv = new StreamWriter(Path.Combine(outDir, "mutants.tsv")))
        {
            tsv.WriteLine("id\ttype\tverdict\tcodes\tassembly\tmethod\toffset\tdescription");
            foreach (var a in admissions)
                tsv.WriteLine($"{a.Mutant.Id}\t{a.Mutant.Type.Name()}\t{(a.Admitted ? "admitted" : "refused")}\t{string.Join(",", a.Codes)}\t{a.Mutant.Library ?? file.FileName}\t{a.Mutant.Method}\tIL_{a.Mutant.Offset:x4}\t{a.Mutant.Description}");
        }
        log.WriteLine($"campaign: {mutants.Count} mutants, {admitted.Count} admitted by the verifier, {mutants.Count - admitted.Count} stopped at install time");
        foreach (var g in admissions.GroupBy(a => a.Mutant.Type).OrderBy(g => g.Key))
            log.WriteLine($"  {g.Key.Name(),-18} {g.Count(),6} mutants {g.Count(a => a.Admitted),6} admitted");
        string schemaPath = Path.Combine(outDir, file.FileName);
        if (admitted.Count == 0) return new SchemaResult(admissions, null, false, "no mutant was admitted", null);

        // Each mutated library becomes a schema of its own, switched by the same mutant=N token
        // (ids are unique across assemblies, so only the owner's switch ever fires).
        string libraryDir = admission.CopySipFolder(Path.Combine(outDir, "libraries"));
        var libraries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var g in admitted.Where(m => m.Library != null).GroupBy(m => m.Library))
        {
            var lib = target.FileOf(g.First()).Read();
            MutantSchema.Build(lib, g.ToList());
            libraries[g.Key] = AssemblyFile.Write(lib);
        }
        byte[] bytes;
        var own = admitted.Where(m => m.Library == null).ToList();
        if (own.Count > 0)
        {
            var module = file.Read();
            MutantSchema.Build(module, own);
            bytes = AssemblyFile.Write(module);
        }
        else bytes = File.ReadAllBytes(file.Path);
        var verdict = admission.VerifyWithLibraries(libraries, bytes, libraryDir);
        File.WriteAllBytes(schemaPath, bytes);
        string violations = string.Join("\n", verdict.Violations.Select(v => v.ToString()));
        if (verdict.ExitCode != 0) log.WriteLine($"campaign: the schema assemblies are refused by the verifier (an engine bug):\n{violations}");
        else log.WriteLine($"campaign: schema {schemaPath} verified ({admitted.Count} mutants{(libraries.Count > 0 ? $", with the mutated libraries {string.Join(", ", libraries.Keys)}" : "")}, switched by 'mutant=N' in the SIP's arguments)");
        return new SchemaResult(admissions, schemaPath, verdict.ExitCode == 0, violations, verdict.Manifest) { LibraryDir = libraryDir };
    }
}
