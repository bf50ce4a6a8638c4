// The contract assemblies are SIP libraries: SIPs reference them, and the verifier verifies their
// (generated) endpoint code like SIP code before it admits the reference (docs/sips.md "Libraries").
// Not compiled by the hosted tests, which build these contracts on .NET (Tests/Generator.Tests).
[assembly: Singularity.SipLibrary]
