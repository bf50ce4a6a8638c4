// Shared: compiled into the SIP runtime and into the hosted runtime (Tests/Singularity.Channels.Hosted).
#nullable disable
namespace Singularity.Channels
{
    /// <summary>What a receive produced.</summary>
    /// <safety>An enum of results; any value is harmless.</safety>
    /// <allmembers>A constant.</allmembers>
    public enum ReceiveResult { Message, ChannelClosed, TimedOut }
}
