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
    }
}
