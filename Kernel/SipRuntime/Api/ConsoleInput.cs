using System;
using Singularity.Runtime;
using Singularity.Threading;

namespace Singularity
{
    /// <summary>
    /// Serial input, read by the one SIP the system manifest grants `console-input` (the shell).
    /// Output goes through the console service instead: Libraries/Console (Singularity.Console),
    /// whose ReadLine forwards here. Input stays in the runtime because it is a granted kernel call
    /// that needs a stack buffer (unsafe code, which a SIP library may not contain).
    /// </summary>
    /// <safety>No state; the kernel checks the grant on every read.</safety>
    public static unsafe class ConsoleInput
    {
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
