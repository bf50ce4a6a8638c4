using Singularity.Abi;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel.Ipc
{
    /// <summary>
    /// What channel calls keep per thread (held in Thread.ChannelState): scratch for the endpoints
    /// a message carries and a select waits on, and what a blocked call pinned so it outlives the
    /// wait. A thread killed while blocked never unpins; its SIP's end does (ChannelCalls.ReleasePins).
    /// Made with a SIP thread's record (charged with it) and freed with it: Boot registers
    /// Attach and Detach with Thread.
    /// </summary>
    internal sealed class ThreadChannels
    {
        /// <summary>Scratch space for the endpoints a message carries (channel send and receive).</summary>
        public readonly Endpoint[] Carried = new Endpoint[ChannelMessage.MaxHandles];
        /// <summary>Scratch space for the endpoints a channel select waits on.</summary>
        public readonly Endpoint[] SelectScratch = new Endpoint[ChannelCalls.MaxSelect];
        /// <summary>The endpoint a channel send or receive of this thread is blocked on.</summary>
        public Endpoint Pinned;
        /// <summary>How many of SelectScratch a select is blocked on.</summary>
        public int PinnedSelect;

        /// <summary>The thread's state, made on first use for a thread that has none (a kernel thread).</summary>
        public static ThreadChannels Of(Thread t)
        {
            var c = (ThreadChannels)t.ChannelState;
            if (c == null) { c = new ThreadChannels(); t.ChannelState = c; }
            return c;
        }

        public static void Attach(Thread t) => Of(t);

        public static void Detach(Thread t)
        {
            var c = (ThreadChannels)t.ChannelState;
            if (c == null) return;
            t.ChannelState = null;
            Allocator.Free(c.Carried);
            Allocator.Free(c.SelectScratch);
            Allocator.Free(c);
        }
    }
}
