using Singularity.Abi;

namespace Singularity.Kernel.Syscalls
{
    /// <summary>System calls: Channels: create, send, receive, call (send then receive), select, close, reply-and-receive (Ipc.ChannelCalls does the work).</summary>
    internal static unsafe class ChannelSyscalls
    {
        public static void Register(KernelAbi* t)
        {
            t->ChannelCreate = &AbiChannelCreate;
            t->ChannelSend = Ipc.ChannelCalls.AbiSend;                        // channel_move.asm: interrupts off once, then ChannelCalls.SendEntry
            t->ChannelReceive = Ipc.ChannelCalls.AbiReceive;                  // channel_move.asm: then ChannelCalls.ReceiveEntry
            t->ChannelSelect = &AbiChannelSelect;
            t->ChannelClose = &AbiChannelClose;
            Ipc.ChannelFastPath.CheckResumeLayout();                          // the asm's done path where ResumeDone moves to
            t->ChannelCall = Ipc.ChannelFastPath.AbiCall;                     // ipc.asm: the lean fast path, else ChannelCalls.Call
            t->ChannelReceiveAny = &AbiChannelReceiveAny;
            t->ChannelReplyAndReceive = Ipc.ChannelFastPath.AbiReplyAndReceive;  // ipc.asm: the lean fast path, else ChannelFastPath.ReplyAndReceive
        }

        private static int AbiChannelReceiveAny(int* endpoints, int count, ChannelMessage* m, int* index, ulong timeoutNs) =>
            Ipc.ChannelCalls.ReceiveAny(AbiTable.Caller, endpoints, count, m, index, timeoutNs);

        private static int AbiChannelCreate(int* imp, int* exp) => Ipc.ChannelCalls.Create(AbiTable.Caller, imp, exp);

        private static int AbiChannelSelect(int* endpoints, int count, ulong timeoutNs) => Ipc.ChannelCalls.Select(AbiTable.Caller, endpoints, count, timeoutNs);

        private static int AbiChannelClose(int endpoint) => Ipc.ChannelCalls.Close(AbiTable.Caller, endpoint);
    }
}
