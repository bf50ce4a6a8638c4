using System;
using Singularity.Abi;
using Singularity.Channels;
using Singularity.Ipc;
using Singularity.Runtime;

namespace Singularity
{
    /// <summary>How a SIP ended.</summary>
    /// <safety>An enum of outcomes; any value is harmless.</safety>
    /// <allmembers>A constant.</allmembers>
    public enum SipOutcome { Running, Exited, Failed, Unknown }

    /// <summary>
    /// Starting, watching and stopping other SIPs (for supervisors and the shell), over this SIP's
    /// process-manager endpoint (ProcessManagerContract, served by the kernel). Process control is
    /// authority the system manifest grants (`grant MODULE processes [all]`, docs/security.md): a
    /// granted SIP finds the endpoint among its start-up endpoints (/kernel/processes), which this
    /// class takes on first use; without one every call here is refused. With it a SIP waits for
    /// and kills only the SIPs it started (with `all`, every SIP). <see cref="Detach"/> gives the
    /// endpoint away (to delegate the authority), <see cref="Adopt"/> takes one received.
    /// </summary>
    /// <safety>Memory-safe: names and arguments are length-checked and copied into an exchange block;
    /// replies are checked (tag, handles) before anything of them is read. Authority: the kernel
    /// decides every request by the endpoint's principal, whoever holds it. Requests of this SIP's
    /// threads go one at a time (a kernel mutex), so replies cannot be mixed up.</safety>
    public static unsafe class Processes
    {
        private static KernelServedEndpoint s_link;   // the endpoint (taken on first use) and the one-request-at-a-time gate

        /// <summary>Starts a new instance of the boot module <paramref name="module"/>; returns its SIP id.</summary>
        /// <safety>TryStart, failure as InvalidOperationException.</safety>
        public static int Start(string module, string arguments)
        {
            if (TryStart(module, arguments, out int id, out string error)) return id;
            throw new InvalidOperationException(error);
        }

        /// <summary>Like Start, but reports failure instead of throwing.</summary>
        /// <safety>A null or empty module, one over 64 characters or arguments over 1024 are refused
        /// before anything is copied; the name and arguments go as ASCII into an exchange block of
        /// exactly their length, which the kernel keeps (a block this SIP's grant refuses is a
        /// failure reported in <paramref name="error"/>).</safety>
        public static bool TryStart(string module, string arguments, out int id, out string error)
        {
            id = 0;
            error = null;
            if (module == null || module.Length == 0 || module.Length > SipLimits.ModuleNameMaxBytes) { error = "bad module name"; return false; }
            arguments ??= "";
            if (arguments.Length > SipLimits.ArgumentsMaxBytes) { error = "arguments too long"; return false; }
            var text = new byte[module.Length + arguments.Length];
            for (int i = 0; i < module.Length; i++) text[i] = Ascii(module[i]);
            for (int i = 0; i < arguments.Length; i++) text[module.Length + i] = Ascii(arguments[i]);
            var m = new RawMessage { Tag = ProcessManagerWire.StartTag };
            m.D0 = module.Length;                    // int at byte 0
            int r = ProcessManagerWire.NotPermitted;
            s_link.Enter();
            try
            {
                if (s_link.TryGet(ProcessManagerWire.Path, out RawEndpoint e))
                {
                    // The request's buffer is this SIP's exchange memory: at its block or byte grant
                    // (a slot bomb's tree) the start is refused, not thrown.
                    ExBlock block;
                    try { block = ExBlock.Allocate(text.Length); }
                    catch (OutOfMemoryException) { error = "could not start '" + module + "': no exchange memory left for the request"; return false; }
                    block.CopyFrom(text, 0);
                    m.Add(block);
                    if (Call(e, ref m, ProcessManagerWire.StartedTag, 0, out RawMessage reply, out bool sent)) r = (int)reply.D0;
                    else if (!sent) block.Free();    // not sent: still this SIP's
                }
            }
            finally { s_link.Leave(); }
            if (r == ProcessManagerWire.NotPermitted) { error = "not permitted: the system manifest grants this SIP no process control"; return false; }
            if (r == ProcessManagerWire.NoSuchModule) { error = "no boot module named '" + module + "'"; return false; }
            if (r <= 0) { error = "could not start '" + module + "'"; return false; }
            id = r;
            return true;
        }

        /// <summary>Waits for a SIP to end (timeoutMs -1 = forever); Running if it did not end in time; Unknown if there is no such SIP or this SIP may not control it.</summary>
        /// <safety>Plain integers in the request; the reply's two integers are only compared and copied.</safety>
        public static SipOutcome Wait(int id, int timeoutMs, out int exitCode)
        {
            exitCode = 0;
            var m = new RawMessage { Tag = ProcessManagerWire.WaitTag };
            m.D0 = (long)(uint)id | (long)(Threading.Sync.TimeoutNs(timeoutMs) << 32);   // int id @0, long timeout @4
            m.D1 = (long)(Threading.Sync.TimeoutNs(timeoutMs) >> 32);
            int r = -1, code = 0;
            s_link.Enter();
            try
            {
                if (s_link.TryGet(ProcessManagerWire.Path, out RawEndpoint e) && Call(e, ref m, ProcessManagerWire.WaitedTag, 0, out RawMessage reply, out _))
                {
                    r = (int)reply.D0;
                    code = (int)(reply.D0 >> 32);
                }
            }
            finally { s_link.Leave(); }
            exitCode = code;
            return r switch { ProcessManagerWire.StillRunning => SipOutcome.Running, ProcessManagerWire.Exited => SipOutcome.Exited, ProcessManagerWire.Failed => SipOutcome.Failed, _ => SipOutcome.Unknown };
        }

        /// <summary>Fails another SIP. False if it is not running, is this SIP, or is not one this SIP may control.</summary>
        /// <safety>An integer in the request; the kernel looks the id up, refuses the caller itself and a SIP the endpoint's principal did not start (without `all`).</safety>
        public static bool Kill(int id)
        {
            var m = new RawMessage { Tag = ProcessManagerWire.KillTag };
            m.D0 = (uint)id;
            int r = -1;
            s_link.Enter();
            try
            {
                if (s_link.TryGet(ProcessManagerWire.Path, out RawEndpoint e) && Call(e, ref m, ProcessManagerWire.KilledTag, 0, out RawMessage reply, out _)) r = (int)reply.D0;
            }
            finally { s_link.Leave(); }
            return r == 0;
        }

        /// <summary>
        /// Gives this SIP's process-manager endpoint away (to send to another SIP, which then acts
        /// with this SIP's authority: docs/security.md); afterwards this SIP has no process control
        /// until it adopts one. A null handle if it has none.
        /// </summary>
        /// <safety>Under the gate: the handle is handed out once and forgotten here.</safety>
        public static EndpointHandle Detach()
        {
            s_link.Enter();
            try
            {
                s_link.TryGet(ProcessManagerWire.Path, out RawEndpoint e);
                s_link.Endpoint = default;
                return new EndpointHandle(e);
            }
            finally { s_link.Leave(); }
        }

        /// <summary>Makes a process-manager endpoint this SIP received its process control (closing the one it had).</summary>
        /// <safety>Under the gate; the handle is only a handle: the kernel checks it on every use, and a
        /// channel that is not a process manager's fails its first request (the reply is checked).</safety>
        public static void Adopt([Claims] EndpointHandle endpoint)
        {
            s_link.Enter();
            try
            {
                s_link.TryGet(ProcessManagerWire.Path, out RawEndpoint old);
                if (!old.IsNull) old.Close();
                s_link.Endpoint = endpoint.Raw;
            }
            finally { s_link.Leave(); }
        }

        // The endpoint's principal and the SIPs it may control, as SipInfo records in the block the
        // kernel returns (`filled`, default if it did not: then `block` is still this SIP's unless it was sent).
        internal static int List(ExBlock block, out ExBlock filled, out bool sent)
        {
            filled = default;
            sent = false;
            var m = new RawMessage { Tag = ProcessManagerWire.ListTag };
            m.Add(block);
            s_link.Enter();
            try
            {
                if (!s_link.TryGet(ProcessManagerWire.Path, out RawEndpoint e)) return 0;
                if (!Call(e, ref m, ProcessManagerWire.ListedTag, 1, out RawMessage reply, out sent)) return 0;
                filled = reply.GetBlock(0);
                return (int)reply.D0;
            }
            finally { s_link.Leave(); }
        }

        // One request and its reply (the kernel serves the request inside the send, so the reply is
        // queued when it returns). False if the channel failed: then it is closed and forgotten.
        private static bool Call(RawEndpoint e, ref RawMessage request, int replyTag, int replyBlocks, out RawMessage reply, out bool sent)
        {
            reply = default;
            sent = e.Send(ref request) == RecvStatus.Ok;
            if (sent && e.Receive(out reply) == RecvStatus.Ok)
            {
                if (reply.Tag == replyTag && reply.HandleCount == replyBlocks && (replyBlocks == 0 || reply.IsBlock(0))) return true;
                for (int i = 0; i < reply.HandleCount; i++) { if (reply.IsBlock(i)) reply.GetBlock(i).Free(); else reply.GetEndpoint(i).Close(); }
                reply = default;
            }
            s_link.Drop();      // e is the gate's endpoint
            return false;
        }

        private static byte Ascii(char c) => c < 128 ? (byte)c : (byte)'?';
    }
}
