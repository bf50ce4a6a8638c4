using Singularity.Channels;

namespace Singularity.Contracts
{
    /// <summary>
    /// Ping-pong with a sequence number and an exchange-heap payload, for tests and benchmarks.
    /// The service answers each Ping with Pong, or Busy when it cannot serve now; both return
    /// the payload, so the client keeps its buffer. Bye ends the conversation politely; either
    /// side may also just close between exchanges.
    /// </summary>
    [Contract(Protocol = """
        closable state Start: one {
            Ping? -> (Pong! | Busy!) -> Start;
            Bye? -> End;
        }
        state End: close;
        """)]
    public partial interface EchoContract
    {
        [In] void Ping(int seq, ExBuffer payload);
        [Out] void Pong(int seq, ExBuffer payload);
        [Out] void Busy(int seq, ExBuffer payload);
        [In] void Bye();
    }
}
