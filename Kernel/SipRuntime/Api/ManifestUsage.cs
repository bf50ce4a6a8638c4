// How often the manifest attributes (Manifest.cs) may appear in an assembly: a SIP's build holds
// one SIP, so one manifest and one device. Hosted tests compile Manifest.cs with their own
// ManifestUsage (several SIPs in one test assembly).
namespace Singularity
{
    internal static class ManifestUsage
    {
        public const bool SeveralSipsPerAssembly = false;
    }
}
