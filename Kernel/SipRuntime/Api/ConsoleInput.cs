using System;
using Singularity.Abi;
using Singularity.Ipc;
using Singularity.Runtime;

namespace Singularity
{
    /// <summary>
    /// Serial input, read by the one SIP the system manifest grants `console-input` (the shell),
    /// over its console-input endpoint (ConsoleInputContract, served by the kernel; the runtime
    /// takes /kernel/console-input from its start-up endpoints on first use). Output goes through
    /// the console service instead: Libraries/Console (Singularity.Console), whose ReadLine
    /// forwards here.
    /// </summary>
    /// <safety>Holds only this SIP's own endpoint; the kernel decides every read by the endpoint's
    /// principal, and replies are checked (tag, handles) before anything of them is read. Reads of
    /// this SIP's threads go one at a time (a kernel mutex).</safety>
    public static unsafe class ConsoleInput
    {
        private static KernelServedEndpoint s_link;   // the endpoint (taken on first use) and the one-request-at-a-time gate

        /// <summary>
        /// Reads a line from the serial input, echoing what is typed (backspace edits). Only a SIP
        /// the system manifest grants `console-input` (the shell) may read; the first such reader owns
        /// the input. Returns null without the grant or if another SIP owns it.
        /// </summary>
        /// <safety>Lends the kernel a 1-byte exchange block per read and reads back at most the count
        /// the reply gives, clamped to the block (each byte through the block's checked indexer; at this SIP's
        /// exchange grant the read returns null); keeps
        /// at most 256 characters (the check precedes the store). Authority: the kernel reads only for
        /// the endpoint's principal.</safety>
        /// <unsafe>A 256-character stackalloc buffer; characters are stored only while <c>n &lt; 256</c>.</unsafe>
        public static string ReadLine()
        {
            char* line = stackalloc char[256];
            int n = 0;
            s_link.Enter();
            try
            {
                if (!s_link.TryGet(ConsoleInputWire.Path, out RawEndpoint e)) return null;
                ExBlock block;
                try { block = ExBlock.Allocate(ReadBytes); }
                catch (OutOfMemoryException) { return null; }       // at its exchange grant: no read
                try
                {
                    while (true)
                    {
                        int count = Read(e, ref block);
                        if (count < 0) return null;
                        for (int i = 0; i < count; i++)
                        {
                            byte b = block[i];
                            if (b == '\r' || b == '\n') { KernelCalls.Write("\n"); return string.FromChars(line, n); }
                            if ((b == 8 || b == 127) && n > 0) { n--; KernelCalls.Write("\b \b"); continue; }
                            if (b >= 32 && b < 127 && n < 256)
                            {
                                line[n++] = (char)b;
                                KernelCalls.Write(string.FromChars(line + n - 1, 1));
                            }
                        }
                    }
                }
                finally { if (!block.IsNull) block.Free(); }
            }
            finally { s_link.Leave(); }
        }

        // One byte per read, as typed: what follows a line's end stays in the kernel for the next
        // ReadLine (or, after Ctrl-], for the debug console), never in a buffer here.
        private const int ReadBytes = 1;

        // One Read (waiting for ever) and its Input: the count, with the block back in `block`; -1 if
        // refused or the channel failed (then `block` is null unless it is still this SIP's).
        private static int Read(RawEndpoint e, ref ExBlock block)
        {
            var m = new RawMessage { Tag = ConsoleInputWire.ReadTag };
            m.D0 = 0;                                   // long timeoutNs @0: for ever
            m.Add(block);
            if (e.Send(ref m) != RecvStatus.Ok) { Fail(); return -1; }     // not taken: still ours
            block = default;
            if (e.Receive(out RawMessage reply) != RecvStatus.Ok) { Fail(); return -1; }
            if (reply.Tag != ConsoleInputWire.InputTag || reply.HandleCount != 1 || !reply.IsBlock(0))
            {
                for (int i = 0; i < reply.HandleCount; i++) { if (reply.IsBlock(i)) reply.GetBlock(i).Free(); else reply.GetEndpoint(i).Close(); }
                Fail();
                return -1;
            }
            block = reply.GetBlock(0);
            int count = (int)reply.D0;
            return count > ReadBytes ? ReadBytes : count;
        }

        // The channel failed: close it and forget it.
        private static void Fail() => s_link.Drop();
    }
}
