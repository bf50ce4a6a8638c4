using Singularity.Abi;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.Ipc
{
    /// <summary>
    /// A contract the kernel itself serves on the exporting end of a channel (the process
    /// manager, Loader/ProcessManager.cs). Nothing is queued on the kernel's end: a message sent
    /// to it is served at once on the sending thread, inside its send, as an ABI call would be,
    /// and the reply is queued on the sender's end. A kernel end has no owner and closes with its
    /// peer (Endpoint.Close), so the channel goes once the SIP's end does.
    /// </summary>
    internal abstract unsafe class KernelServer
    {
        /// <summary>
        /// Serves one message <paramref name="sender"/> sent on <paramref name="kernelEnd"/>'s peer.
        /// Its handles were checked (each the sender's to give) and have not moved: the server
        /// takes what it keeps. Returns a ChannelStatus for the send: Ok, or Closed after closing
        /// <paramref name="kernelEnd"/> for a message it cannot accept (a protocol violation fails
        /// only this channel). Interrupts off; the sender's end is pinned.
        /// </summary>
        public abstract int Serve(Sip sender, Endpoint kernelEnd, ChannelMessage* m);

        /// <summary>
        /// A new channel of this server for <paramref name="sip"/>: its end (a handle of its table,
        /// charged to it as any channel) and the kernel's, which acts for it (its principal). -1 if
        /// its handle table is full. Interrupts off.
        /// </summary>
        public virtual int Grant(Sip sip)
        {
            Endpoint.CreatePair(sip, out Endpoint imp, out Endpoint served);
            served.Owner = null;
            served.Server = this;
            served.Principal = sip.Id;
            int h = sip.AddHandle(imp);
            if (h < 0) imp.Close();         // closes the served end too; both go
            return h;
        }

        /// <summary>Closes the kernel's end for a message it cannot accept: the channel fails, nothing else. Returns Closed for the send.</summary>
        public static int Violation(Endpoint kernelEnd)
        {
            kernelEnd.Close();
            return ChannelStatus.Closed;
        }

        /// <summary>Queues a reply (no endpoints in it) on the sender's end. Interrupts off.</summary>
        public static void Reply(Endpoint kernelEnd, ChannelMessage* r)
        {
            Endpoint[] carried = ThreadChannels.Of(Threading.Scheduler.Current).Carried;
            for (int i = 0; i < ChannelMessage.MaxHandles; i++) carried[i] = null;
            kernelEnd.Peer.TryEnqueue(r, carried);
        }
    }
}
