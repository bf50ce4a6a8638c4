using Singularity.Runtime;

namespace Singularity.Channels
{
    /// <summary>
    /// The run-time half of "a message is taken once": a generated Message struct carries one
    /// ticket, shared by every copy of it, and its TakeX stamps it. TakeX on a copy of a message
    /// whose arguments were already taken fails the SIP (two owners of one exchange block or
    /// channel would follow). The verifier refuses such code statically too (SV0302).
    /// </summary>
    public sealed class MessageTicket
    {
        private bool _taken;

        /// <summary>Marks the message taken; fails the SIP if it was taken already (through another copy).</summary>
        public void Take(string what)
        {
            if (_taken) KernelCalls.Fail("protocol violation: " + what + ": the arguments of this message were already taken (through a copy of the Message)", 0);
            _taken = true;
        }
    }
}
