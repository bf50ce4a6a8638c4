using System.Xml.Linq;
using Mono.Cecil;

namespace Singularity.Tests.Verifier;

/// <summary>
/// The direction of dependencies for SIPs (docs/architecture.md): a SIP references only the core
/// library, the runtime (both given by SIPs/Sip.props), contracts (Contracts/) and SIP libraries
/// (Libraries/); a SIP library only what a SIP may. Checked on the project files, which say what
/// the build links, and on the built assemblies, which say what the code uses. The verifier
/// enforces the same at the assembly level (LibraryAdmissionTests); this test keeps the rooms honest.
/// </summary>
public class SipReferenceTests
{
    private static readonly string[] SipRoots = { "SIPs", Path.Combine("Tests", "TestSips") };
    private static readonly string[] Rooms = { "Drivers", "Services", "Apps" };

    private static IEnumerable<string> SipProjects() =>
        SipRoots.SelectMany(r => Directory.GetFiles(Path.Combine(Support.Root, r), "*.csproj", SearchOption.AllDirectories)).OrderBy(p => p, StringComparer.Ordinal);

    private static IEnumerable<string> ContractAndLibraryProjects() =>
        Support.LibraryProjects().Append(Path.Combine(Support.Root, "Contracts", "Contracts.csproj"));

    /// <summary>The project references that link an assembly (analyzers and build-order-only references excluded).</summary>
    private static IEnumerable<string> LinkedProjects(string csproj) =>
        XDocument.Load(csproj).Descendants("ProjectReference")
            .Where(pr => (string)pr.Attribute("OutputItemType") != "Analyzer" && (string)pr.Attribute("ReferenceOutputAssembly") != "false")
            .Select(pr => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(csproj), (string)pr.Attribute("Include"))));

    private static string RoomOf(string path) => Path.GetRelativePath(Support.Root, path).Split(Path.DirectorySeparatorChar)[0];

    [Fact]
    public void SipProjectsReferenceOnlyContractsAndLibraries()
    {
        var wrong = new List<string>();
        foreach (var project in SipProjects().Concat(Support.LibraryProjects()))
            foreach (var reference in LinkedProjects(project))
                if (RoomOf(reference) is not ("Contracts" or "Libraries"))
                    wrong.Add($"{Path.GetRelativePath(Support.Root, project)} references {Path.GetRelativePath(Support.Root, reference)}");
        Assert.True(wrong.Count == 0, "a SIP or SIP library may reference only Contracts/ and Libraries/ projects (the core library and the runtime come from Sip.props):\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void SipsLiveInARoom()
    {
        // SIPs/Drivers, SIPs/Services, SIPs/Apps: SIPs/ROOM/NAME/NAME.csproj, nothing directly under SIPs/.
        var stray = Directory.GetFiles(Path.Combine(Support.Root, "SIPs"), "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Path.Combine(Support.Root, "SIPs"), p).Split(Path.DirectorySeparatorChar))
            .Where(parts => parts.Length != 3 || !Rooms.Contains(parts[0]))
            .Select(parts => "SIPs/" + string.Join("/", parts)).ToList();
        Assert.True(stray.Count == 0, "SIP projects belong in SIPs/Drivers, SIPs/Services or SIPs/Apps:\n" + string.Join("\n", stray));
    }

    [Fact]
    public void BuiltSipsReferenceOnlyTheCoreLibraryTheRuntimeContractsAndLibraries()
    {
        var admitted = new HashSet<string>(StringComparer.Ordinal) { "Singularity.Corlib", "Singularity.Runtime" };
        foreach (var p in ContractAndLibraryProjects()) admitted.Add(Path.GetFileNameWithoutExtension(Support.BuiltAssembly(p)));
        var wrong = new List<string>();
        int seen = 0;
        foreach (var project in SipProjects().Concat(Support.LibraryProjects()))
        {
            var dll = Support.BuiltAssembly(project);
            if (!File.Exists(dll)) continue;   // not built by this build (the SIP projects are not this project's dependencies)
            seen++;
            using var m = ModuleDefinition.ReadModule(dll);
            foreach (var r in m.AssemblyReferences)
                if (!admitted.Contains(r.Name)) wrong.Add($"{Path.GetRelativePath(Support.Root, dll)} references {r.Name}");
        }
        Assert.True(wrong.Count == 0, "a SIP references only Singularity.Corlib, Singularity.Runtime, contracts and Libraries/ assemblies:\n" + string.Join("\n", wrong));
        Assert.True(seen > 0, "no built SIP or library found: run ./sing build");
    }

    [Fact]
    public void EveryContractAndLibraryDeclaresItselfASipLibrary()
    {
        foreach (var project in ContractAndLibraryProjects())
        {
            var dll = Support.BuiltAssembly(project);
            Assert.True(File.Exists(dll), $"{dll} is not built (a build dependency of this project)");
            using var a = AssemblyDefinition.ReadAssembly(dll);
            Assert.True(Singularity.Verifier.AssemblyVerifier.IsSipLibrary(a), $"{Path.GetRelativePath(Support.Root, project)} lacks [assembly: SipLibrary]");
        }
    }
}
