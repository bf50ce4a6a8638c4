using Singularity.Abi;
using Singularity.Kernel.Ipc;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.IO
{
    /// <summary>
    /// Console input as an endpoint (ConsoleInputContract, layout Kernel/Abi/ConsoleInputWire.cs):
    /// the kernel serves `/kernel/console-input` endpoints, which only SIPs granted `console-input`
    /// receive at start (StartupEndpoints; Boot makes the one instance and hands it down). Each endpoint reads for
    /// its principal, the SIP it was granted to (SerialInput: the first SIP granted one owns the
    /// input from its start until it dies; Ctrl-] always goes to the kernel debug console). A Read blocks only the
    /// thread that sent it, for at most its timeout; a message outside the contract closes the
    /// kernel's end, failing that channel alone.
    /// </summary>
    internal sealed unsafe class ConsoleInputServer : KernelServer
    {
        /// <summary>Bytes one Read returns at most (more stay queued in the UART for the next).</summary>
        public const int ReadMaxBytes = 64;

        /// <summary>
        /// Grants the endpoint (KernelServer.Grant) and, if no live SIP owns the input, makes its
        /// principal the owner now, before it runs: what is typed once it has started is its, never
        /// taken by the debug console in the moment before its first read.
        /// </summary>
        public override int Grant(Sip sip)
        {
            int h = base.Grant(sip);
            if (h > 0) SerialInput.ClaimIfFree(sip);
            return h;
        }

        public override int Serve(Sip sender, Endpoint kernelEnd, ChannelMessage* m)
        {
            if (m->Tag != ConsoleInputWire.ReadTag || m->HandleCount != 1
                || (m->Handles[0] & ChannelMessage.KindMask) != ChannelMessage.KindBlock || !kernelEnd.Peer.HasRoom)
                return Violation(kernelEnd);
            ulong h = m->Handles[0];
            ulong timeoutNs = *(ulong*)m->Data;
            Sip principal = SipTable.Find(kernelEnd.Principal);
            int count = ConsoleInputWire.Refused;
            // Read into the kernel's own buffer: the read may wait, and meanwhile another thread of
            // the sender may free or send the block, so the block is written only afterwards.
            byte* typed = stackalloc byte[ReadMaxBytes];
            if (ExchangeHeap.Access(sender.Id, h, out ulong length) != null && principal != null && principal.IsAlive)
                count = SerialInput.Read(principal, typed, length < ReadMaxBytes ? (int)length : ReadMaxBytes, timeoutNs);
            if (!sender.IsAlive || kernelEnd.Closed) return ChannelStatus.Closed;
            byte* buffer = ExchangeHeap.Access(sender.Id, h, out length);
            if (buffer == null || !kernelEnd.Peer.HasRoom) return Violation(kernelEnd);
            if (count > 0 && (ulong)count > length) count = (int)length;   // the block cannot have shrunk, but the kernel checks
            for (int i = 0; i < count; i++) buffer[i] = typed[i];
            var r = stackalloc ChannelMessage[1];
            *r = default;
            r->Tag = ConsoleInputWire.InputTag;
            *(int*)r->Data = count;
            ExchangeHeap.Transfer(h, sender.Id, sender, ExchangeHeap.InFlight, null);
            r->HandleCount = 1;
            r->Handles[0] = h;
            Reply(kernelEnd, r);
            return ChannelStatus.Ok;
        }
    }
}
