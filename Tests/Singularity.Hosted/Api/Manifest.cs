using System;

// The manifest attributes are Kernel/SipRuntime/Api/Manifest.cs, compiled here too. Hosted, a
// SipManifest (and a Device) may appear more than once in an assembly: a test project compiles
// several SIPs' sources together (HostedSip.Start finds the one naming the SIP it starts). The
// kernel-side rules (one manifest per SIP) are checked by each SIP's own build.
namespace Singularity
{
    internal static class ManifestUsage
    {
        public const bool SeveralSipsPerAssembly = true;
    }

    /// <summary>Marks a SIP library; hosted, it has no effect (the verifier reads it in the SIP's own build).</summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class SipLibraryAttribute : Attribute
    {
    }
}
