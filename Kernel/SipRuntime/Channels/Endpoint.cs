// Shared: compiled into the SIP runtime and into the hosted runtime (Tests/Singularity.Channels.Hosted);
// the transport under it is Singularity.Ipc's RawEndpoint of each target (docs/channels.md, "One runtime, two transports").
#nullable disable
using System;
using System.Threading;
using Singularity.Ipc;

namespace Singularity.Channels
{
    /// <summary>
    /// Base of every generated endpoint (Imp/Exp): the channel handle and the protocol state.
    /// Generated subclasses check each send and receive against the contract's state machine.
    /// A protocol violation closes this end (the peer sees ChannelClosed) and throws
    /// ProtocolViolationException; not caught, it ends the SIP like any unhandled exception.
    /// </summary>
    /// <safety>An abstract class SIPs derive from (the generated Imp/Exp, or their own). Its state
    /// is private; derived code sees the protocol state (its own business) and the protected
    /// send/receive, which hand frames to the runtime's checked RawEndpoint. Closing and detaching
    /// are atomic, so of two racing threads one wins and the other is refused. The channel handle is
    /// checked by the kernel on every use.</safety>
    [Tracked]
    public abstract class Endpoint : IDisposable
    {
        private EndpointHandle _handle;
        private int _state;
        private int _closed;        // 1 once closed or detached; set atomically, so one caller wins
        private bool _peerClosed;   // a receive reported ChannelClosed: closing is then allowed in any state
        // The last receive timed out: the peer did not answer in time, and giving up the channel (Close in
        // any state) is how a client stops waiting for a hung peer. The peer sees ChannelClosed, which it
        // must handle in every state anyway (this SIP could have died). A later message clears it.
        private bool _timedOut;

        /// <safety>A null handle is ArgumentException; the handle (a copy) is the kernel's to check.</safety>
        protected Endpoint([Claims] EndpointHandle handle, int state)
        {
            if (handle.IsNull) throw new ArgumentException("an endpoint needs a channel handle");
            _handle = handle;
            _state = state;
        }

        /// <safety>The derived class's own protocol state; the runtime never interprets it.</safety>
        protected int State
        {
            get => _state;
            set => _state = value;
        }

        /// <safety>Reads the flag.</safety>
        public bool IsClosed => _closed != 0;

        /// <summary>The current protocol state's name (generated endpoints name their states).</summary>
        /// <safety>Formats the state; an override only changes the SIP's own messages.</safety>
        public virtual string StateName => _state.ToString();

        /// <summary>"Contract.Imp" or "Contract.Exp", for messages.</summary>
        /// <safety>A literal; an override only changes the SIP's own messages.</safety>
        protected virtual string EndpointName => "endpoint";

        /// <summary>Whether the protocol allows closing in <paramref name="state"/>.</summary>
        /// <safety>The derived class's protocol decision; an override only decides whether this SIP's Close throws.</safety>
        protected virtual bool CanClose(int state) => true;

        internal EndpointHandle Handle => _handle;

        /// <summary>
        /// Closes this end; the peer then sees ChannelClosed after draining its queue. Allowed in
        /// the protocol's closable states, in any state once a receive reported ChannelClosed, and in
        /// any state right after a receive timed out (giving up on a peer that does not answer).
        /// </summary>
        /// <safety>The flag is set by an atomic exchange, so the handle is closed once; the kernel closes only this SIP's handle.</safety>
        [Claims]
        public void Close()
        {
            if (_closed != 0) return;
            if (!_peerClosed && !_timedOut && !CanClose(_state))
                ProtocolViolation(EndpointName + ": Close() is not allowed in state " + StateName);
            if (Interlocked.Exchange(ref _closed, 1) != 0) return;
            _handle.Raw.Close();
        }

        /// <summary>Close, for <c>using</c>: the analyzer and the verifier count a using's end as the release.</summary>
        /// <safety>Close.</safety>
        [Claims]
        public void Dispose() => Close();

        /// <safety>RawEndpoint.Send: the kernel reads the frame's message once and checks what it read; a message the
        /// transport refuses is a protocol violation, a closed peer releases what the frame carried.</safety>
        protected void SendFrame(ref MessageFrame frame)
        {
            CheckOpen();
            RecvStatus st = _handle.Raw.Send(ref frame.Raw);
            // As in Singularity a send to a closed peer is not an error: the receive that follows
            // reports ChannelClosed. What the message carried is released, not leaked.
            if (st == RecvStatus.Closed) frame.DropHandles();
            else if (st != RecvStatus.Ok) ProtocolViolation(EndpointName + ": the message was refused (a handle in it is not this SIP's to give)");
            frame = default;   // the message is gone; nothing of it stays with the sender
        }

        /// <safety>The frame is cleared first; RawEndpoint.Receive has the kernel write the message into it only for
        /// a message (else it is default again); the frame starts empty (offsets 0).</safety>
        protected ReceiveResult ReceiveFrame(out MessageFrame frame, int timeoutMs)
        {
            frame = default;
            CheckOpen();
            RecvStatus st = _handle.Raw.Receive(out frame.Raw, timeoutMs);
            _timedOut = st == RecvStatus.TimedOut;
            if (st == RecvStatus.Ok) return ReceiveResult.Message;
            if (st == RecvStatus.TimedOut) return ReceiveResult.TimedOut;
            _peerClosed = true;
            return ReceiveResult.ChannelClosed;
        }

        /// <summary>
        /// A protocol violation: closes this end (its peer sees ChannelClosed, as when a SIP dies)
        /// and throws ProtocolViolationException with <paramref name="detail"/>. Not caught, it
        /// ends the SIP (on the kernel: "unhandled exception Singularity.Channels.ProtocolViolationException").
        /// </summary>
        /// <safety>Closes only this SIP's own handle (once: atomic exchange), then throws; a SIP that
        /// catches the exception holds a closed endpoint, which refuses every further use.</safety>
        protected void ProtocolViolation(string detail)
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0) _handle.Raw.Close();
            throw new ProtocolViolationException(detail);
        }

        /// <summary>
        /// The peer broke the protocol (a message this state does not allow, or one whose handles
        /// are not what the contract says): that is the peer's fault, so only this channel fails.
        /// What the message carried is released, this end is closed (the peer sees ChannelClosed)
        /// and the caller gets ChannelClosed; this SIP goes on serving its other channels.
        /// </summary>
        /// <safety>Releases the handles the kernel moved to this SIP with the frame (each checked by the
        /// kernel), then closes this end once (atomic flag) without asking the protocol: a channel whose
        /// peer misbehaved may be abandoned in any state.</safety>
        protected ReceiveResult PeerViolation(ref MessageFrame frame, string detail)
        {
            frame.DropHandles();
            if (Interlocked.Exchange(ref _closed, 1) == 0) _handle.Raw.Close();
            return ReceiveResult.ChannelClosed;
        }

        // Closes this end whatever its protocol state (a group that is full gives up a new member).
        internal void Abandon()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0) _handle.Raw.Close();
        }

        /// <summary>Gives up the channel handle so the endpoint can travel in a message.</summary>
        /// <safety>An atomic exchange marks the endpoint closed, so only one caller gets the handle; a second is a protocol violation.</safety>
        protected EndpointHandle DetachHandle()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0) throw new ProtocolViolationException(EndpointName + ": use of a closed or sent endpoint (state " + StateName + ")");
            EndpointHandle h = _handle;
            _handle = default;
            return h;
        }

        /// <summary>DetachHandle on another endpoint (C# allows protected calls only on the caller's own type).</summary>
        /// <safety>Null is ArgumentNullException; then DetachHandle on it.</safety>
        protected static EndpointHandle DetachHandle(Endpoint endpoint)
        {
            if (endpoint == null) throw new ArgumentNullException("endpoint");
            return endpoint.DetachHandle();
        }

        private void CheckOpen()
        {
            if (_closed != 0) throw new ProtocolViolationException(EndpointName + ": use of a closed or sent endpoint (state " + StateName + ")");
        }
    }
}
