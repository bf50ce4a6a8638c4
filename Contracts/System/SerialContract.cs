using Singularity.Channels;

namespace Singularity.Contracts
{
    /// <summary>
    /// A serial line (the 16550 driver, /service/serial, SIPs/Drivers/Serial; client: the console
    /// service). A channel starts in Start, where a client either writes or subscribes:
    /// Write carries bytes in an exchange buffer, which the driver puts on the line through the
    /// UART's transmit FIFO and answers with Written (how many bytes went out: all of them, unless
    /// the UART stopped taking bytes, whose waits are bounded); the channel stays in Start for the
    /// next write. Subscribe makes the channel a subscription: from then on the driver sends
    /// Received with the bytes that arrive on the line (at least one per message, in order), for
    /// as long as the client holds it. Many clients may write; the newest subscriber receives
    /// (an older subscription is closed). Either side may close at any time.
    /// </summary>
    [Contract(Protocol = """
        closable state Start: one {
            Write? -> Written! -> Start;
            Subscribe? -> Receiving;
        }
        closable state Receiving: Received! -> Receiving;
        """)]
    public partial interface SerialContract
    {
        [In] void Write(ExBuffer bytes);
        [Out] void Written(int count);
        [In] void Subscribe();
        [Out] void Received(ExBuffer bytes);
    }

    /// <summary>Names of <see cref="SerialContract"/>.</summary>
    public static class SerialService
    {
        /// <summary>The name the serial driver registers.</summary>
        public const string ServiceName = "/service/serial";
    }
}
