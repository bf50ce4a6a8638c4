using System;

// Marks a SIP library (Libraries/, contract assemblies): an assembly SIPs may reference besides the
// core library and the runtime. The verifier reads it by name (Verifier/Verifier/LibraryAdmission.cs):
// it admits a SIP's reference to an assembly only when that assembly carries this attribute, defined
// here in Singularity.Runtime (a look-alike defined elsewhere does not count), and passes
// verification with the same rules as a SIP. A plain attribute: data only, no behaviour.
namespace Singularity
{
    /// <summary>Declares the assembly a SIP library: <c>[assembly: SipLibrary]</c>.</summary>
    /// <safety>A marker attribute without state: the verifier reads it from metadata; no runtime code reads it, and declaring it grants nothing (the library is verified like a SIP).</safety>
    [AttributeUsage(AttributeTargets.Assembly)]
    public sealed class SipLibraryAttribute : Attribute
    {
        /// <safety>Builds the attribute object, which has no state.</safety>
        public SipLibraryAttribute() { }
    }
}
