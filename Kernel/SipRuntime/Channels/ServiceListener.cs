using Singularity.Ipc;

namespace Singularity.Channels
{
    /// <summary>
    /// Where clients' connections to a service arrive. The kernel registers each path a SIP
    /// exports ([Exports] in its manifest) before the SIP starts; every client that binds the
    /// path brings a new channel, which Accept hands over for the contract's generated
    /// FromHandle (Exp side, initial state).
    /// </summary>
    public sealed class ServiceListener
    {
        private readonly RawEndpoint _raw;

        private ServiceListener(RawEndpoint raw) { _raw = raw; }

        /// <summary>The listener for a path this SIP exports; once per path.</summary>
        public static bool TryOpen(string path, out ServiceListener listener)
        {
            bool ok = Names.TryTakeStartup(path, out RawEndpoint raw);
            listener = ok ? new ServiceListener(raw) : null;
            return ok;
        }

        /// <summary>The next client's channel; ChannelClosed once the listener is gone.</summary>
        public ReceiveResult Accept(out EndpointHandle connection, int timeoutMs = -1)
        {
            connection = default;
            while (true)
            {
                RecvStatus status = _raw.Receive(out RawMessage m, timeoutMs);
                if (status == RecvStatus.TimedOut) return ReceiveResult.TimedOut;
                if (status != RecvStatus.Ok) return ReceiveResult.ChannelClosed;
                if (m.Tag == Names.ConnectTag && m.HandleCount == 1)
                {
                    connection = new EndpointHandle(m.GetEndpoint(0));
                    return ReceiveResult.Message;
                }
                // Only the kernel writes to a listener; anything else is dropped with its handles.
                for (int i = 0; i < m.HandleCount; i++) { if (m.IsBlock(i)) m.GetBlock(i).Free(); else m.GetEndpoint(i).Close(); }
            }
        }

        public void Close() => _raw.Close();
    }
}
