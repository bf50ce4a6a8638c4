// This assembly is a SIP library: SIPs may reference it, and the verifier verifies it like SIP
// code before it admits the reference (docs/sips.md "Libraries").
[assembly: Singularity.SipLibrary]
