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
}
