namespace Singularity.Channels
{
    /// <summary>
    /// Hosted twin of the SIP runtime's MessageTicket: shared by every copy of a generated Message;
    /// a second TakeX through a copy throws ProtocolViolationException (on the kernel: fails the SIP).
    /// </summary>
    public sealed class MessageTicket
    {
        private bool _taken;

        public void Take(string what)
        {
            if (_taken) throw new ProtocolViolationException(what + ": the arguments of this message were already taken (through a copy of the Message)");
            _taken = true;
        }
    }
}
