// Shared: compiled into the SIP runtime and into the hosted runtime (Tests/Singularity.Channels.Hosted).
#nullable disable
using System;

namespace Singularity.Channels
{
    /// <summary>
    /// A send, receive or close the contract does not allow in the endpoint's state, a use of a
    /// closed or sent endpoint, a message the transport refuses, or a second take of a message's
    /// arguments. The endpoint concerned is closed first (its peer sees ChannelClosed); not caught,
    /// the exception ends the SIP (docs/channels.md, "Protocol violations").
    /// </summary>
    /// <safety>An exception type: a message and the base class's state, nothing more.</safety>
    /// <allmembers>Stores or returns message strings (and the parameter or object name); no other effect.</allmembers>
    public sealed partial class ProtocolViolationException : InvalidOperationException
    {
        public ProtocolViolationException(string message) : base(message) { }
    }
}
