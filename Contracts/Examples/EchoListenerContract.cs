using Singularity.Channels;

namespace Singularity.Contracts
{
    /// <summary>
    /// A channel that carries channels: an echo service's listener. Each Connect brings the
    /// exporting end of a new EchoContract channel, in its initial state, for the service to
    /// serve.
    /// </summary>
    [Contract(Protocol = """
        state Listening: Connect? -> Listening;
        """)]
    public partial interface EchoListenerContract
    {
        [In] void Connect(EchoContract.Exp client);
    }
}
