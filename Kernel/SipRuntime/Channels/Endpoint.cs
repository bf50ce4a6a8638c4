using System;
using Singularity.Ipc;
using Singularity.Runtime;

namespace Singularity.Channels
{
    /// <summary>
    /// Base of every generated endpoint (Imp/Exp): the channel handle and the protocol state.
    /// Generated subclasses check each send and receive against the contract's state machine.
    /// </summary>
    [Tracked]
    public abstract class Endpoint
    {
        private EndpointHandle _handle;
        private int _state;
        private bool _closed;

        protected Endpoint([Claims] EndpointHandle handle, int state)
        {
            if (handle.IsNull) throw new ArgumentException("an endpoint needs a channel handle");
            _handle = handle;
            _state = state;
        }

        protected int State
        {
            get => _state;
            set => _state = value;
        }

        public bool IsClosed => _closed;

        /// <summary>The current protocol state's name (generated endpoints name their states).</summary>
        public virtual string StateName => _state.ToString();

        /// <summary>"Contract.Imp" or "Contract.Exp", for messages.</summary>
        protected virtual string EndpointName => "endpoint";

        /// <summary>Whether the protocol allows closing in <paramref name="state"/>.</summary>
        protected virtual bool CanClose(int state) => true;

        internal EndpointHandle Handle => _handle;

        /// <summary>Closes this end; the peer then sees ChannelClosed after draining its queue.</summary>
        [Claims]
        public void Close()
        {
            if (_closed) return;
            if (!CanClose(_state))
                ProtocolViolation(EndpointName + ": Close() is not allowed in state " + StateName);
            _closed = true;
            _handle.Raw.Close();
        }

        protected void SendFrame(ref MessageFrame frame)
        {
            CheckOpen();
            RecvStatus st = _handle.Raw.Send(ref frame.Raw);
            // As in Singularity a send to a closed peer is not an error: the receive that follows
            // reports ChannelClosed. What the message carried is released, not leaked.
            if (st == RecvStatus.Closed) frame.DropHandles();
            else if (st != RecvStatus.Ok) ProtocolViolation(EndpointName + ": the kernel refused the message (a handle in it is not this SIP's to give)");
        }

        protected ReceiveResult ReceiveFrame(out MessageFrame frame, int timeoutMs)
        {
            frame = default;
            CheckOpen();
            RecvStatus st = _handle.Raw.Receive(out frame.Raw, timeoutMs);
            if (st == RecvStatus.Ok) return ReceiveResult.Message;
            if (st == RecvStatus.TimedOut) return ReceiveResult.TimedOut;
            return ReceiveResult.ChannelClosed;
        }

        /// <summary>
        /// Fails the SIP: a protocol violation is a bug in this SIP, and failing closes all its
        /// endpoints, so peers see ChannelClosed. (The runtime has no unwinder to catch a throw.)
        /// </summary>
        protected void ProtocolViolation(string detail)
        {
            KernelCalls.Fail("protocol violation: " + detail, 0);
        }

        /// <summary>Gives up the channel handle so the endpoint can travel in a message.</summary>
        protected EndpointHandle DetachHandle()
        {
            CheckOpen();
            _closed = true;
            EndpointHandle h = _handle;
            _handle = default;
            return h;
        }

        /// <summary>DetachHandle on another endpoint (C# allows protected calls only on the caller's own type).</summary>
        protected static EndpointHandle DetachHandle(Endpoint endpoint)
        {
            if (endpoint == null) throw new ArgumentNullException("endpoint");
            return endpoint.DetachHandle();
        }

        private void CheckOpen()
        {
            if (_closed) ProtocolViolation(EndpointName + ": use of a closed or sent endpoint (state " + StateName + ")");
        }
    }
}
