namespace Singularity.Channels
{
    /// <summary>What a receive produced.</summary>
    public enum ReceiveResult { Message, ChannelClosed, TimedOut }
}
