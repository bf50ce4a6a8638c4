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
        /// <summary>
        /// The endpoints this thread is registered on for readability, Watched[0..Watching): each
        /// pinned once per entry, and this thread in its readable watchers. Made by a receive that
        /// waits (Receive, Call's reply, ReceiveAny, ReplyAndReceive, Select) and kept when it
        /// returns, so a thread that waits on the same endpoints again (a server's loop, a client's
        /// calls) registers nothing (issue 17). Replaced when a wait names other endpoints; dropped
        /// (ChannelCalls.StopWatching) before a wait that is not on channels (an interrupt wait),
        /// when this thread closes one of them, when it ends, and when its SIP ends.
        /// </summary>
        public readonly Endpoint[] Watched = new Endpoint[ChannelCalls.MaxSelect];
        /// <summary>How many of Watched are registered (see Watched).</summary>
        public int Watching;
        /// <summary>
        /// The handles Watched was looked up from (ChannelCalls.LookUp), valid while WatchedVersion is
        /// the SIP's HandleVersion: then Watched[i] is what WatchedHandles[i] names, for i below
        /// Watching. 0 when they are not known (a registration made from an endpoint: WatchOne).
        /// </summary>
        public readonly int[] WatchedHandles = new int[ChannelCalls.MaxSelect];
        public ulong WatchedVersion;
        /// <summary>
        /// Watched's and WatchedHandles' elements, addressed without a bounds check (the lookup's
        /// per-hop loops; their callers bound the count by MaxSelect, the arrays' length). The
        /// kernel heap never moves an object. Computed on use (no field: thread creation pays nothing).
        /// </summary>
        /// The arrays are made with the state and never null: the address is the reference plus 16
        /// (a single-dimensional array: its type pointer, its length padded to 8, then the elements),
        /// with no null test.
        public nint* WatchedAt
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => (nint*)(Unsafe.As<Endpoint[], nint>(ref Unsafe.AsRef(in Watched)) + 16);
        }
        public int* HandlesAt
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => (int*)(Unsafe.As<int[], nint>(ref Unsafe.AsRef(in WatchedHandles)) + 16);
        }
        /// <summary>
        /// Call's kept endpoint (ChannelCalls.WatchOneFound, KeptOne): while CallVersion is the SIP's
        /// HandleVersion, CallHandle names CallEndpoint (open, the SIP's) and the registration is
        /// exactly that endpoint. 0 (never a version) after any change of the registration
        /// (Register, RegisterOne, Unregister).
        /// </summary>
        public Endpoint CallEndpoint;
        public int CallHandle;
        public ulong CallVersion;
        /// <summary>
        /// ReplyAndReceive's kept reply (ChannelCalls.KeepReply, ChannelFastPath.ReplyLean): while
        /// ReplyPeer is not null and QuietVersion is the SIP's HandleVersion, ReplyKey is the ABI's
        /// reply-and-count word of a reply the lean path delivered over that quiet set (a reply
        /// handle, not 0, and a count of 1 to MaxSelect, which is Watching), and ReplyPeer the peer
        /// of the endpoint that handle names (open, the SIP's). Kept only while the set is quiet,
        /// and ReplyPeer cleared whenever the quiet is marked (ChannelCalls.LookUpFrom): so the
        /// quiet version, which any change of the table or the registration ends, vouches for it
        /// too (no version of its own: the state stays within its 128-byte heap block).
        /// </summary>
        public long ReplyKey;
        public Endpoint ReplyPeer;
        /// <summary>
        /// Nonzero only while none of Watched[0..Watching) can be readable: then it is the SIP's
        /// HandleVersion under which a lookup walked the registered set, found from WatchedHandles,
        /// and found none readable (ChannelCalls.LookUp). So one compare with the SIP's version says
        /// "quiet, and the kept handles still name the kept endpoints" (a changed table fails it).
        /// Cleared (0, never a version) by everything that may make one readable since: a wake-up
        /// of the endpoint's readers (a message queued, the peer closed, the endpoint closed:
        /// Watchers.WakeAll clears it for every watcher, waiting or not) and any change of the
        /// registration (Register, RegisterOne, Unregister). While it holds, a lookup of the same
        /// set tests no endpoint's readiness (docs/channels.md "Receiver kept"). 0 when made (no
        /// initializer: thread creation pays nothing).
        /// </summary>
        public ulong QuietVersion;
        /// <summary>The endpoint a channel send of this thread is blocked on (waiting for room) or a kernel server serves.</summary>
        public Endpoint Pinned;
        /// <summary>
        /// While this thread is blocked in a receive (Receive, the reply half of Call, ReceiveAny):
        /// the caller's message buffer, where a sender delivers directly (ChannelCalls.Deliver)
        /// instead of queueing. Null otherwise; interrupts off whenever it is read or written.
        /// Set only while the endpoints waited on are exactly Watched[0..Watching), so a sender
        /// that finds this thread first among an endpoint's readers delivers only for a wait on it.
        /// </summary>
        public ChannelMessage* DirectBuffer;
        /// <summary>The endpoint a direct delivery arrived on (set by the sender), or null.</summary>
        public Endpoint DirectFrom;

        /// <summary>
        /// While the thread waits in a lean entry (Arch/x64/ipc.asm): its entry's frame on its kernel
        /// stack, a ChannelFastPath CallFrame (even) or ReplyFrame + 1 (odd), where a fast-path
        /// delivery completes its wait (ChannelFastPath.CompleteLean) instead of setting DirectFrom.
        /// 0 otherwise: cleared by that delivery or by the resume routine.
        /// </summary>
        public nint LeanFrame;

        /// <summary>
        /// The first index of <paramref name="e"/> in Watched[0..Watching), or -1 (also for no
        /// state). Registering sets Watching before it watches, so an election during it finds the
        /// new set (Endpoint.ReceiverIndex). Interrupts off.
        /// </summary>
        public static int IndexOf(ThreadChannels tc, Endpoint e)
        {
            if (tc == null) return -1;
            Endpoint[] w = tc.Watched;
            int n = tc.Watching;
            for (int i = 0; i < n; i++) if (w[i] == e) return i;
            return -1;
        }

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
            // A thread that ended keeps no registration (Scheduler.Exit, the SIP's end); should one
            // be left, it would name a freed thread: it goes first.
            if (c.Watching != 0)
            {
                ulong flags = Arch.Cpu.ReadRflags();
                Arch.Cpu.DisableInterrupts();
                ChannelCalls.StopWatching(t, c);
                if ((flags & (1 << 9)) != 0) Arch.Cpu.EnableInterrupts();
            }
            Allocator.Free(c.Watched);
            Allocator.Free(c.WatchedHandles);
            Allocator.Free(c);
        }
    }
}
