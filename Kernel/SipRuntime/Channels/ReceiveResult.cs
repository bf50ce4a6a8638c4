namespace Singularity.Channels
{
    /// <summary>What a receive produced.</summary>
    /// <safety>An enum of results; any value is harmless.</safety>
    /// <allmembers>A constant.</allmembers>
    public enum ReceiveResult { Message, ChannelClosed, TimedOut }
}
