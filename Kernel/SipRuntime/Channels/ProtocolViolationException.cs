using System;

namespace Singularity.Channels
{
    /// <summary>
    /// A send or receive the contract does not allow in the endpoint's state. On the kernel the
    /// runtime fails the SIP instead of throwing (see Endpoint.ProtocolViolation); the type exists
    /// so that code naming it compiles against both runtimes.
    /// </summary>
    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public sealed class ProtocolViolationException : InvalidOperationException
    {
        public ProtocolViolationException(string message) : base(message) { }
        public override string TypeName => "Singularity.Channels.ProtocolViolationException";
    }
}
