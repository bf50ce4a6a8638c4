using Singularity.Channels;

namespace __NAME__
{
    /// <summary>
    /// The contract of the __NAME__ service: the client asks with a number and the service answers
    /// with one, as often as they like; either side may close between exchanges. Change the
    /// messages and the protocol to your service's (docs/contracts.md).
    /// </summary>
    [Contract(Protocol = """
        closable state Start: one {
            Ask? -> Answer! -> Start;
        }
        """)]
    public partial interface __NAME__Contract
    {
        [In] void Ask(int value);
        [Out] void Answer(int value);
    }
}
