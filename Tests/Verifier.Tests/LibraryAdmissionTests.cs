using Mono.Cecil;
using Singularity.Verifier;

namespace Singularity.Tests.Verifier;

/// <summary>
/// A SIP may reference, besides the core library and the runtime, only SIP libraries: assemblies
/// that carry the runtime's [assembly: SipLibrary] and pass verification like a SIP
/// (Verifier/Verifier/LibraryAdmission.cs, docs/verifier.md SV0107).
/// </summary>
public class LibraryAdmissionTests
{
    private const string Helper = "public static class Helper { public static int F() => 1; }";
    private const string Marked = "[assembly: Singularity.SipLibrary]\n";
    private const string UsesHelper = "public static class P { public static int Main() => Helper.F(); }";

    private static string Dump(VerificationResult r) => $"exit {r.ExitCode}:\n{string.Join("\n", r.Violations)}";

    private static VerificationResult SipUsing(string libraryName, string librarySource, bool unsafeLibrary = false)
    {
        var dir = Support.NewDir();
        var lib = Support.Compile(libraryName, librarySource, allowUnsafe: unsafeLibrary, dir: dir);
        var sip = Support.Compile("Sip", UsesHelper, dir: dir, references: new[] { lib }, exe: true);
        return Support.Verify(sip);
    }

    [Fact]
    public void LibraryWithTheAttributeIsAdmitted()
    {
        var r = SipUsing("Helpers", Marked + Helper);
        Assert.True(r.Verified, Dump(r));
    }

    [Fact]
    public void AssemblyWithoutTheAttributeIsRefused()
    {
        var r = SipUsing("Helpers", Helper);
        Assert.Equal(1, r.ExitCode);
        // Refused at the reference (and again where Main uses it).
        var v = Assert.Single(r.Violations, v => v.Code == "SV0107" && v.Where == "Sip");
        Assert.Equal("Sip.dll", v.File);
        Assert.Contains("Helpers", v.Message);
        Assert.Contains("does not declare itself one", v.Message);
    }

    [Fact]
    public void ContractNamedAssemblyWithoutTheAttributeIsRefused()
    {
        // No name admits an assembly: the old prefix rule (Singularity.Contracts*) is gone.
        var r = SipUsing("Singularity.Contracts.Evil", Helper);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(r.Violations, v => v.Code == "SV0107" && v.Message.Contains("Singularity.Contracts.Evil"));
    }

    [Fact]
    public void LookAlikeAttributeIsRefused()
    {
        // The library defines its own Singularity.SipLibraryAttribute: only the runtime's counts.
        var r = SipUsing("Helpers", Marked + "namespace Singularity { public sealed class SipLibraryAttribute : System.Attribute { } }\n" + Helper);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(r.Violations, v => v.Code == "SV0107" && v.Message.Contains("does not declare itself one"));
    }

    [Fact]
    public void LibraryWithUnsafeCodeIsRefusedLikeASip()
    {
        var r = SipUsing("Helpers", Marked + "public static unsafe class Helper { public static int F() => 1; public static int Read(int* p) => *p; }", unsafeLibrary: true);
        Assert.Equal(1, r.ExitCode);
        // The library's own violation, under its file name, and the SIP's refused reference.
        Assert.Contains(r.Violations, v => v.File == "Helpers.dll" && v.Code == "SV0101");
        Assert.Contains(r.Violations, v => v.File == "Sip.dll" && v.Code == "SV0107" && v.Message.Contains("fails verification"));
    }

    [Fact]
    public void LibraryWithAMutableStaticIsRefusedLikeASip()
    {
        var r = SipUsing("Helpers", Marked + "public static class Helper { public static int Count; public static int F() => ++Count; }");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(r.Violations, v => v.File == "Helpers.dll" && v.Code == "SV0106");
    }

    [Fact]
    public void LibraryReferencingAnUnmarkedAssemblyIsRefused()
    {
        // Admission is transitive: a library may reference only what a SIP may.
        var dir = Support.NewDir();
        var inner = Support.Compile("Inner", "public static class InnerHelper { public static int G() => 2; }", dir: dir);
        var lib = Support.Compile("Helpers", Marked + "public static class Helper { public static int F() => InnerHelper.G(); }", dir: dir, references: new[] { inner });
        var sip = Support.Compile("Sip", UsesHelper, dir: dir, references: new[] { lib }, exe: true);
        var r = Support.Verify(sip);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(r.Violations, v => v.File == "Helpers.dll" && v.Code == "SV0107" && v.Message.Contains("Inner"));
        Assert.Contains(r.Violations, v => v.File == "Sip.dll" && v.Code == "SV0107" && v.Message.Contains("Helpers"));
    }

    [Fact]
    public void LibraryReferencingAMarkedLibraryIsAdmitted()
    {
        var dir = Support.NewDir();
        var inner = Support.Compile("Inner", Marked + "public static class InnerHelper { public static int G() => 2; }", dir: dir);
        var lib = Support.Compile("Helpers", Marked + "public static class Helper { public static int F() => InnerHelper.G(); }", dir: dir, references: new[] { inner });
        var sip = Support.Compile("Sip", UsesHelper, dir: dir, references: new[] { lib }, exe: true);
        var r = Support.Verify(sip);
        Assert.True(r.Verified, Dump(r));
    }

    [Fact]
    public void MissingLibraryIsRefused()
    {
        var dir = Support.NewDir();
        var lib = Support.Compile("Helpers", Marked + Helper, dir: dir);
        var sip = Support.Compile("Sip", UsesHelper, dir: dir, references: new[] { lib }, exe: true);
        File.Delete(lib);
        var r = Support.Verify(sip);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(r.Violations, v => v.Code == "SV0107" && v.Message.Contains("not found among the references"));
    }

    [Fact]
    public void LibraryThatReferencesItselfUnderItsFileNameEnds()
    {
        // A reference back to the file being verified (a cycle through its own name) is not followed again.
        var dir = Support.NewDir();
        var lib = Support.Compile("Loop", Marked + Helper, dir: dir);
        var looped = Path.Combine(dir, "Helpers.dll");
        using (var m = ModuleDefinition.ReadModule(lib, new ReaderParameters { AssemblyResolver = new Support.Resolver(dir) }))
        {
            CecilCoreLibrary.Fix(m);
            m.Assembly.Name.Name = "Helpers";
            m.AssemblyReferences.Add(new AssemblyNameReference("Helpers", new Version(0, 0)));
            m.Write(looped);
        }
        var sip = Support.Compile("Sip", UsesHelper, dir: Support.NewDir(), references: new[] { looped }, exe: true);
        var r = Support.Verify(sip);
        Assert.True(r.Verified, Dump(r));
    }

    [Fact]
    public void ManifestOnlySipStillHasItsLibrariesVerified()
    {
        var dir = Support.NewDir();
        var lib = Support.Compile("Helpers", Marked + "public static class Helper { public static int Count; public static int F() => ++Count; }", dir: dir);
        var sip = Support.Compile("Sip", UsesHelper, dir: dir, references: new[] { lib }, exe: true);
        var o = Support.Options(sip);
        o.ManifestOnly = true;
        var r = AssemblyVerifier.VerifyFile(sip, o);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(r.Violations, v => v.File == "Helpers.dll" && v.Code == "SV0106");
    }

    [Fact]
    public void LibraryModeRequiresTheAttribute()
    {
        var unmarked = Support.Compile("Helpers", Helper);
        var o = Support.Options(unmarked);
        o.Library = true;
        var r = AssemblyVerifier.VerifyFile(unmarked, o);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(r.Violations, v => v.Code == "SV0107" && v.Message.Contains("does not declare itself one"));

        var marked = Support.Compile("Helpers", Marked + Helper);
        o = Support.Options(marked);
        o.Library = true;
        r = AssemblyVerifier.VerifyFile(marked, o);
        Assert.True(r.Verified, Dump(r));
        Assert.Null(r.Manifest);
    }

    [Fact]
    public void RealLibrariesVerifyAsLibraries()
    {
        var libraries = Support.LibraryProjects().ToList();
        Assert.NotEmpty(libraries);
        foreach (var project in libraries.Append(Path.Combine(Support.Root, "Contracts", "Contracts.csproj")))
        {
            var dll = Support.BuiltAssembly(project);
            Assert.True(File.Exists(dll), $"{dll} is not built (a build dependency of this project)");
            var o = Support.Options(dll);
            o.Library = true;
            var r = AssemblyVerifier.VerifyFile(dll, o);
            Assert.True(r.Verified, $"{project}: {Dump(r)}");
        }
    }
}
