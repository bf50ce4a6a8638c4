using Singularity.Abi;
using Singularity.Ipc;

namespace Singularity.Channels
{
    /// <summary>
    /// Where clients' connections to a service arrive. The kernel registers each path a SIP
    /// exports ([Exports] in its manifest) before the SIP starts (TryOpen); a service may also
    /// register a granted name itself (TryRegister). Every client that binds the name brings a
    /// new channel, which Accept hands over for the contract's generated FromHandle (Exp side,
    /// initial state). Generated code wraps this as <c>FooContract.Listener</c>, whose Accept
    /// yields a <c>FooContract.Exp</c>: SIP code never sees the kernel's connect message.
    /// </summary>
    /// <safety>A sealed class over a listener handle the kernel wired from the manifest (private); the kernel checks it on every use.</safety>
    public sealed class ServiceListener
    {
        private readonly RawEndpoint _raw;

        private ServiceListener(RawEndpoint raw) { _raw = raw; }

        /// <summary>The listener for a path this SIP exports; once per path.</summary>
        /// <safety>Names.TryTakeStartup: a checked copy of the path; only this SIP's start-up endpoints, each once.</safety>
        public static bool TryOpen(string path, out ServiceListener listener)
        {
            bool ok = Names.TryTakeStartup(path, out RawEndpoint raw);
            listener = ok ? new ServiceListener(raw) : null;
            return ok;
        }

        /// <summary>
        /// Registers <paramref name="name"/> with the name service; clients that bind it arrive
        /// here. False unless the system manifest grants the name to this SIP's module
        /// (`grant MODULE name=PATH`) and no live SIP holds it; a SIP holds at most 8 names, all
        /// released when it ends (docs/security.md).
        /// </summary>
        /// <safety>RawEndpoint.CreateChannel, then Names.Register (a checked copy of the name; the kernel
        /// checks the handle and the grant); on refusal both new ends are closed again.</safety>
        public static bool TryRegister(string name, out ServiceListener listener)
        {
            listener = null;
            RawEndpoint.CreateChannel(out RawEndpoint imp, out RawEndpoint exp);
            bool registered = false;
            try { registered = Names.Register(name, imp); }
            finally
            {
                // A refused name (ArgumentException for a bad one) gives the channel back.
                if (!registered) { imp.Close(); exp.Close(); }
            }
            if (!registered) return false;
            listener = new ServiceListener(exp);
            return true;
        }

        internal RawEndpoint Raw => _raw;

        /// <summary>The next client's channel; ChannelClosed once the listener is gone.</summary>
        /// <safety>RawEndpoint.Receive into a local; only a connect message with exactly one endpoint is
        /// handed out (checked kind); anything else is released handle by handle.</safety>
        public ReceiveResult Accept(out EndpointHandle connection, int timeoutMs = -1)
        {
            connection = default;
            while (true)
            {
                RecvStatus status = _raw.Receive(out RawMessage m, timeoutMs);
                if (status == RecvStatus.TimedOut) return ReceiveResult.TimedOut;
                if (status != RecvStatus.Ok) return ReceiveResult.ChannelClosed;
                // NameServiceContract's Connect (Kernel/Abi/NameServiceWire.cs): one endpoint.
                if (m.Tag == NameServiceWire.ConnectTag && m.HandleCount == NameServiceWire.ConnectHandles.Length && !m.IsBlock(0))
                {
                    connection = new EndpointHandle(m.GetEndpoint(0));
                    return ReceiveResult.Message;
                }
                // Only the kernel writes to a listener; anything else is dropped with its handles.
                for (int i = 0; i < m.HandleCount; i++) { if (m.IsBlock(i)) m.GetBlock(i).Free(); else m.GetEndpoint(i).Close(); }
            }
        }

        /// <safety>RawEndpoint.Close on this SIP's handle.</safety>
        public void Close() => _raw.Close();
    }
}
