using System.Runtime;
using System.Runtime.CompilerServices;
using Singularity.Abi;

namespace Singularity.Runtime
{
    /// <summary>
    /// The four channel calls of a round trip or a move (send, receive, call, reply-and-receive) as
    /// direct calls into asm/channel_entries.asm, each one jump through a slot start-up filled from
    /// the kernel's table: a call through the table's managed function pointer loads the table and
    /// the entry and tests the entry for a fat pointer every time, and the inlined callers kept a
    /// second call site (and the pointer in a spilled register) for that never-taken case (issue 17).
    /// </summary>
    /// <unsafe>Initialize runs once at start-up, after Startup checked the table's magic, version and
    /// count, and writes the four entries into the asm's four slots; it refuses (fails the SIP) a
    /// fat pointer, which the table's own callers would have unwrapped; a null entry faults in page 0
    /// when called, as it would through the table. The
    /// calls pass their arguments unchanged to the same kernel entries, in the same calling convention.</unsafe>
    internal static unsafe class ChannelEntries
    {
        // Inlined into start-up, no call per entry: SIP start-up is a budgeted figure (./sing bench).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Initialize(KernelAbi* abi)
        {
            void* send = abi->ChannelSend, receive = abi->ChannelReceive, call = abi->ChannelCall, reply = abi->ChannelReplyAndReceive;
            // A fat pointer (bit 1 set: a generic method's entry with its context) is never a kernel
            // entry, and a jump to one would skip the unwrapping a managed call does. (A null entry
            // faults in page 0 as a call through the table would.)
            if ((((ulong)send | (ulong)receive | (ulong)call | (ulong)reply) & 2) != 0) NotPlain();
            void** slots = Slots();
            slots[0] = send;
            slots[1] = receive;
            slots[2] = call;
            slots[3] = reply;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void NotPlain() => KernelCalls.Fail("a channel entry of the ABI table is not a plain entry", 0);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "sip_channel_entries")]
        private static extern void** Slots();

        /// <summary>KernelAbi.ChannelSend.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "sip_channel_send")]
        public static extern int Send(int endpoint, ChannelMessage* message, ulong timeoutNs);

        /// <summary>KernelAbi.ChannelReceive.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "sip_channel_receive")]
        public static extern int Receive(int endpoint, ChannelMessage* message, ulong timeoutNs);

        /// <summary>KernelAbi.ChannelCall.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "sip_channel_call")]
        public static extern int Call(int endpoint, ChannelMessage* request, ChannelMessage* reply, ulong timeoutNs);

        /// <summary>KernelAbi.ChannelReplyAndReceive.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "sip_channel_reply_and_receive")]
        public static extern int ReplyAndReceive(long replyAndCount, ChannelMessage* reply, ChannelMessage* message, int* endpoints, int* results, ulong timeoutNs);
    }
}
