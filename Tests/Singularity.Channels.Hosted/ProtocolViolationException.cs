using System;

namespace Singularity.Channels
{
    /// <summary>A send or receive that the contract does not allow in the endpoint's state.</summary>
    public sealed class ProtocolViolationException : InvalidOperationException
    {
        public ProtocolViolationException(string message) : base(message) { }
    }
}
