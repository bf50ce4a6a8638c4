using System.Runtime.CompilerServices;
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
    internal sealed unsafe class ThreadChannels
    {
        /// <summary>Scratch space for the endpoints a message carries (channel send and receive).</summary>
        public readonly Endpoint[] Carried = new Endpoint[ChannelMessage.MaxHandles];
        /// <summary>Scratch space for the endpoints a channel select waits on.</summary>
        public readonly Endpoint[] SelectScratch = new Endpoint[ChannelCalls.MaxSelect];
        /// <summary>The endpoint a channel send or receive of this thread is blocked on.</summary>
        public Endpoint Pinned;
        /// <summary>How many of SelectScratch a select is blocked on.</summary>
        public int PinnedSelect;
        /// <summary>
        /// While this thread is blocked in a receive (Receive, the reply half of Call, ReceiveAny):
        /// the caller's message buffer, where a sender delivers directly (ChannelCalls.Deliver)
        /// instead of queueing. Null otherwise; interrupts off whenever it is read or written.
        /// </summary>
        public ChannelMessage* DirectBuffer;
        /// <summary>The endpoint a direct delivery arrived on (set by the sender), or null.</summary>
        public Endpoint DirectFrom;

        /// <summary>The thread's state, or null if it has none yet (no allocation; a sender looking at a receiver).</summary>
        public static ThreadChannels Peek(Thread t) => Unsafe.As<ThreadChannels>(t.ChannelState);

        /// <summary>The thread's state, made on first use for a thread that has none (a kernel thread).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ThreadChannels Of(Thread t)
        {
            // Only this class is ever stored in ChannelState (here and Attach): no type check needed.
            var c = Unsafe.As<ThreadChannels>(t.ChannelState);
            return c ?? Make(t);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static ThreadChannels Make(Thread t)
        {
            var c = new ThreadChannels();
            t.ChannelState = c;
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
