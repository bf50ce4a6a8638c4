// Declares this assembly a SIP library: the verifier admits a SIP's reference to it only then.
[assembly: Singularity.SipLibrary]
