namespace Singularity.Channels
{
    // Kernel-only: the core library names exception types through TypeName (it has no reflection).
    public sealed partial class ProtocolViolationException
    {
        public override string TypeName => "Singularity.Channels.ProtocolViolationException";
    }
}
