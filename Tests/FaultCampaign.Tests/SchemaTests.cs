using Mono.Cecil;
using Singularity.FaultCampaign.Mutation;

namespace Singularity.Tests.FaultCampaign;

/// <summary>The schema's argument parsing, and admission of a real SIP's mutants through the verifier.</summary>
public class SchemaTests
{
    internal static string EchoService => Path.Combine(TestPaths.Repo, "Tests", "TestSips", "EchoService", "bin", "Release", "net10.0", "EchoService.dll");

    [Theory]
    [InlineData("mutant=12", 12)]
    [InlineData("ping 5 mutant=7 pace=2", 7)]
    [InlineData("max=3 -- echoservice mutant=305", 305)]
    [InlineData("", 0)]
    [InlineData("mutant=", 0)]
    [InlineData("mutants mutant=x", 0)]
    [InlineData("mute mutant=4", 4)]
    [InlineData(null, 0)]
    public void ParseFindsTheMutantToken(string args, int expected) => Assert.Equal(expected, CallParse(args));

    [Fact]
    public void AnAbsurdMutantIdOverflowsInsteadOfWrapping() =>
        Assert.IsType<OverflowException>(Assert.Throws<System.Reflection.TargetInvocationException>(() => CallParse("mutant=99999999999")).InnerException);

    /// <summary>The schema's Parse, emitted into a type of a copy of this assembly and run on .NET.</summary>
    private static object CallParse(string args)
    {
        var module = MutatedAssembly.Self().Read();
        var type = new TypeDefinition("", "ParseHost", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed, module.TypeSystem.Object);
        module.Types.Add(type);
        var parse = MutantSchema.AddParse(module, type);
        parse.Attributes = (parse.Attributes & ~MethodAttributes.MemberAccessMask) | MethodAttributes.Public;
        var ctx = new System.Runtime.Loader.AssemblyLoadContext("parse-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        try
        {
            var asm = ctx.LoadFromStream(new MemoryStream(AssemblyFile.Write(module)));
            return asm.GetType("ParseHost")!.GetMethod("Parse")!.Invoke(null, new object[] { args });
        }
        finally { ctx.Unload(); }
    }

    [Fact]
    public void EchoServiceMutantsAreAdmittedOrRefusedWithACodeAndTheSchemaVerifies()
    {
        var file = new AssemblyFile(EchoService, Array.Empty<string>());
        var catalog = MutantCatalog.Enumerate(file.Read());
        // The service's channel use gives channel-misuse sites: a Pong sent twice, a receive skipped.
        Assert.Contains(catalog, m => m.Type == FaultType.ChannelMisuse && m.Description.Contains("SendPong sent twice"));
        Assert.Contains(catalog, m => m.Type == FaultType.ChannelMisuse && m.Description.Contains("skipped"));
        string dir = Path.Combine(Path.GetTempPath(), "campaign-schema-" + Guid.NewGuid().ToString("N"));
        try
        {
            var r = SchemaBuilder.Build(file, catalog, dir, "echoservice", TextWriter.Null);
            Assert.True(r.SchemaVerified, r.SchemaViolations);
            Assert.Equal(catalog.Count, r.Admissions.Count);
            Assert.All(r.Admissions.Where(a => !a.Admitted), a => Assert.NotEmpty(a.Codes));
            // A Pong sent twice sends one payload twice: the verifier stops it (a double transfer).
            var twice = r.Admissions.Single(a => a.Mutant.Description.Contains("SendPong sent twice"));
            Assert.False(twice.Admitted);
            Assert.Contains("SV0302", twice.Codes);
            // Most single edits are still type-safe and ownership-correct, so they run.
            Assert.True(r.Admissions.Count(a => a.Admitted) > catalog.Count / 2);
            Assert.Equal("echoservice", r.Manifest.Name);
            Assert.True(File.Exists(Path.Combine(dir, "mutants.tsv")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TheCatalogReachesIntoTheLibrariesTheSipCallsAndNoFurther()
    {
        var target = new CampaignTarget(new AssemblyFile(EchoService, Array.Empty<string>()), withLibraries: true);
        var own = MutantCatalog.Enumerate(target.Sip.Read());
        var catalog = target.Catalog();
        // The SIP's own mutants keep their ids; the contracts library's follow them.
        Assert.Equal(own.Select(m => m.Id), catalog.Where(m => m.Library == null).Select(m => m.Id));
        var library = catalog.Where(m => m.Library != null).ToList();
        Assert.NotEmpty(library);
        Assert.All(library, m => Assert.Equal("Singularity.Contracts.dll", m.Library));
        Assert.Equal(Enumerable.Range(own.Count + 1, library.Count), library.Select(m => m.Id));
        // The echo contract's generated code is reached; contracts the service never speaks are not.
        Assert.Contains(library, m => m.Method.Contains("EchoContract", StringComparison.Ordinal));
        Assert.DoesNotContain(library, m => m.Method.Contains("ProcessManagerContract", StringComparison.Ordinal));
        Assert.DoesNotContain(catalog, m => m.Library is "Singularity.Runtime.dll" or "Singularity.Corlib.dll");
        Assert.Equal(catalog.Count, target.Catalog().Count);
    }

    [Fact]
    public void LibraryMutantsAreAdmittedWithTheSipAndBuiltIntoALibrarySchema()
    {
        var target = new CampaignTarget(new AssemblyFile(EchoService, Array.Empty<string>()), withLibraries: true);
        var catalog = target.Catalog();
        var picked = catalog.Where(m => m.Library != null).Take(12).Append(catalog.First(m => m.Library == null)).ToList();
        string dir = Path.Combine(Path.GetTempPath(), "campaign-libschema-" + Guid.NewGuid().ToString("N"));
        try
        {
            var r = SchemaBuilder.Build(target, picked, dir, "echoservice", TextWriter.Null);
            Assert.True(r.SchemaVerified, r.SchemaViolations);
            Assert.Contains(r.Admissions, a => a.Admitted && a.Mutant.Library != null);
            // The library in the image's folder is the schema: it carries the switch and the clones.
            var schema = new AssemblyFile(Path.Combine(r.LibraryDir, "Singularity.Contracts.dll"), Array.Empty<string>()).Read();
            Assert.NotNull(schema.GetType(MutantSchema.SwitchTypeName));
            var admittedLib = r.Admissions.First(a => a.Admitted && a.Mutant.Library != null).Mutant;
            Assert.Contains(schema.GetTypes().SelectMany(t => t.Methods), m => m.Name.EndsWith("$mutant" + admittedLib.Id, StringComparison.Ordinal));
            // The original library in the SIP's build folder is untouched.
            var original = new AssemblyFile(Path.Combine(Path.GetDirectoryName(EchoService)!, "Singularity.Contracts.dll"), Array.Empty<string>()).Read();
            Assert.Null(original.GetType(MutantSchema.SwitchTypeName));
            Assert.Contains("Singularity.Contracts.dll", File.ReadAllText(Path.Combine(dir, "mutants.tsv")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
