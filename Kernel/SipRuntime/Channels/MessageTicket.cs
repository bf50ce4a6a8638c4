// Shared: compiled into the SIP runtime and into the hosted runtime (Tests/Singularity.Channels.Hosted).
#nullable disable
using System.Threading;

namespace Singularity.Channels
{
    /// <summary>
    /// The run-time half of "a message is taken once": a generated Message struct carries one
    /// ticket, shared by every copy of it, and its TakeX stamps it. TakeX on a copy of a message
    /// whose arguments were already taken is a protocol violation (two owners of one exchange
    /// block or channel would follow). The verifier refuses such code statically too (SV0302).
    /// </summary>
    /// <safety>A sealed class with one private flag; anyone may make one (generated code does).</safety>
    public sealed class MessageTicket
    {
        private int _taken;

        /// <safety>A new, untaken ticket.</safety>
        public MessageTicket() { }

        /// <summary>Marks the message taken; ProtocolViolationException if it was taken already (through another copy).</summary>
        /// <safety>An atomic exchange, so of two threads taking one message at once exactly one
        /// proceeds; the other gets ProtocolViolationException. <paramref name="what"/> only goes into
        /// the exception's message.</safety>
        public void Take(string what)
        {
            if (Interlocked.Exchange(ref _taken, 1) != 0)
                throw new ProtocolViolationException(what + ": the arguments of this message were already taken (through a copy of the Message)");
        }
    }
}
