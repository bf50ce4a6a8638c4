namespace Singularity.Ipc
{
    /// <summary>What a raw send or receive produced: the kernel transport's statuses, with the same meanings.</summary>
    internal enum RecvStatus { Ok, Closed, TimedOut, BadMessage, BadHandle }
}
