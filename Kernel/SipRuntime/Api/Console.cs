using System;
using Singularity.Ipc;
using Singularity.Runtime;
using Singularity.Threading;

namespace Singularity
{
    /// <summary>
    /// Text output through the console service (`/service/console`), which owns the serial line
    /// for SIPs; while no console service runs, output goes to the kernel log instead. Input is
    /// read from the serial line by the one SIP granted it (the shell).
    /// </summary>
    /// <safety>Static state (the binding to the console service) guarded by a runtime lock; text
    /// goes out as a copy the runtime makes, never as the caller's memory.</safety>
    public static unsafe class Console
    {
        /// <safety>A constant.</safety>
        public const string ServiceName = "/service/console";
        /// <safety>A constant.</safety>
        public const int WriteTag = 1;

        private static RawEndpoint s_service;
        private static bool s_bound;
        private static int s_lock;

        /// <safety>Write of the text and a newline (the concatenation is checked).</safety>
        public static void WriteLine(string text) => Write((text ?? "") + "\n");

        /// <safety>Null or empty writes nothing. The text (immutable) is copied as ASCII into a new exchange
        /// block of exactly its length (the kernel bounds the size: a huge text is OutOfMemoryException)
        /// and sent to the console service, or written to the kernel log in 256-byte pieces from a stack
        /// buffer. The binding is shared state, guarded by a runtime lock released in a finally.</safety>
        public static void Write(string text)
        {
            if (text == null || text.Length == 0) return;
            Sync.Acquire(ref s_lock);
            try
            {
                if (!s_bound) s_bound = Names.TryBind(ServiceName, out s_service);
                if (s_bound && Send(text)) return;
                KernelCalls.Write(text);
            }
            finally
            {
                Sync.Release(ref s_lock);
            }
        }

        private static bool Send(string text)
        {
            ExBlock block = ExBlock.Allocate(text.Length);
            var bytes = new byte[text.Length];
            for (int i = 0; i < text.Length; i++) bytes[i] = text[i] < 128 ? (byte)text[i] : (byte)'?';
            block.CopyFrom(bytes, 0);
            var m = new RawMessage { Tag = WriteTag, D0 = text.Length };
            m.Add(block);
            if (s_service.Send(ref m) == RecvStatus.Ok) return true;
            // The console service went away: its block was not taken; write to the kernel log
            // and bind again next time (a restarted service registers the name again).
            block.Free();
            s_service.Close();
            s_bound = false;
            return false;
        }

        /// <summary>
        /// Reads a line from the serial input, echoing what is typed (backspace edits). Only a SIP
        /// the system manifest grants `console-input` (the shell) may read; the first such reader owns
        /// the input. Returns null without the grant or if another SIP owns it.
        /// </summary>
        /// <safety>Reads one byte at a time into a stack buffer and keeps at most 256 characters (the
        /// check precedes the store). Authority: the kernel refuses a reader without the grant.</safety>
        /// <unsafe>A 1-byte and a 256-character stackalloc buffer; the kernel's ConsoleRead is given at
        /// most 1 byte; characters are stored only while <c>n &lt; 256</c>.</unsafe>
        public static string ReadLine()
        {
            byte* buf = stackalloc byte[1];
            char* line = stackalloc char[256];
            int n = 0;
            while (true)
            {
                int r = KernelCalls.Abi->ConsoleRead(buf, 1, 0);
                if (r < 0) return null;
                if (r == 0) continue;
                byte b = buf[0];
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
}
