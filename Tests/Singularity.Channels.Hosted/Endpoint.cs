using System;

namespace Singularity.Channels
{
    /// <summary>
    /// Base of every generated endpoint (Imp/Exp): the channel end and the protocol state.
    /// Hosted: a protocol violation throws ProtocolViolationException after closing this end
    /// (the peer sees ChannelClosed, as when the kernel fails a SIP); an endpoint dropped
    /// without Close is closed by its finalizer.
    /// </summary>
    [Tracked]
    public abstract class Endpoint
    {
        private EndpointHandle _handle;
        private int _state;
        private bool _closed;
        private bool _peerGone;     // a receive saw ChannelClosed: closing is allowed in any state (as on the kernel)

        protected Endpoint([Claims] EndpointHandle handle, int state)
        {
            if (handle.IsNull) throw new ArgumentException("an endpoint needs a channel handle", nameof(handle));
            _handle = handle;
            _state = state;
        }

        ~Endpoint()
        {
            // Abandoned without Close: the peer must still learn that nobody will answer.
            if (!_closed) _handle.End?.Close();
        }

        protected int State
        {
            get => _state;
            set => _state = value;
        }

        public bool IsClosed => _closed;

        public virtual string StateName => _state.ToString();

        protected virtual string EndpointName => GetType().DeclaringType?.Name + "." + GetType().Name;

        protected virtual bool CanClose(int state) => true;

        internal ChannelEnd? End => _closed ? null : _handle.End;

        [Claims]
        public void Close()
        {
            if (_closed) return;
            if (!_peerGone && !CanClose(_state))
                ProtocolViolation(EndpointName + ": Close() is not allowed in state " + StateName);
            _closed = true;
            _handle.End!.Close();
            GC.SuppressFinalize(this);
        }

        protected void SendFrame(ref MessageFrame frame)
        {
            CheckOpen();
            _handle.End!.Send(frame);
            frame = default;   // the message is gone; nothing of it stays with the sender
        }

        protected ReceiveResult ReceiveFrame(out MessageFrame frame, int timeoutMs)
        {
            CheckOpen();
            ReceiveResult r = _handle.End!.Receive(out frame, timeoutMs);
            if (r == ReceiveResult.ChannelClosed) _peerGone = true;
            return r;
        }

        protected void ProtocolViolation(string detail)
        {
            if (!_closed)
            {
                _closed = true;
                _handle.End?.Close();
                GC.SuppressFinalize(this);
            }
            throw new ProtocolViolationException(detail);
        }

        /// <summary>The peer broke the protocol: as on the kernel, only this channel fails (its end closes, what the message carried is released) and the caller gets ChannelClosed.</summary>
        protected ReceiveResult PeerViolation(ref MessageFrame frame, string detail)
        {
            frame.Drop();
            if (!_closed)
            {
                _closed = true;
                _handle.End?.Close();
                GC.SuppressFinalize(this);
            }
            return ReceiveResult.ChannelClosed;
        }

        protected EndpointHandle DetachHandle()
        {
            CheckOpen();
            _closed = true;
            GC.SuppressFinalize(this);
            EndpointHandle h = _handle;
            _handle = default;
            return h;
        }

        protected static EndpointHandle DetachHandle(Endpoint endpoint)
        {
            if (endpoint == null) throw new ArgumentNullException(nameof(endpoint));
            return endpoint.DetachHandle();
        }

        private void CheckOpen()
        {
            if (_closed) throw new ObjectDisposedException(EndpointName, EndpointName + ": use of a closed or sent endpoint (state " + StateName + ")");
        }
    }
}
