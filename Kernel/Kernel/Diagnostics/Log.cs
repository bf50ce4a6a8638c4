using Singularity.Kernel.Arch;


namespace Singularity.Kernel.Diagnostics
{
    /// <summary>
    /// The kernel log, written to the serial port. The Write overloads allocate nothing, so the
    /// log works before the heap exists and inside a panic.
    /// </summary>
    internal static unsafe class Log
    {
        /// <summary>
        /// Starts a line that goes out whole (tests and people read these): interrupts stay off
        /// until <see cref="EndLine"/>, so no thread's output lands inside it.
        /// </summary>
        public static ulong BeginLine()
        {
            ulong flags = Arch.Cpu.ReadRflags();
            Arch.Cpu.DisableInterrupts();
            return flags;
        }

        public static void EndLine(ulong flags)
        {
            if ((flags & (1 << 9)) != 0) Arch.Cpu.EnableInterrupts();
        }

        // One string goes out whole, even outside BeginLine: a thread the timer stopped inside it
        // split another's line in two ("ssip kvserver#3 started" after "s" of "singularity: idle"),
        // and the tests that read the log missed the line.
        public static void Write(string s)
        {
            if (s == null) { Write("(null)"); return; }
            ulong flags = BeginLine();
            for (int i = 0; i < s.Length; i++) WriteChar(s[i]);
            EndLine(flags);
        }

        public static void WriteLine(string s)
        {
            ulong flags = BeginLine();
            Write(s);
            WriteChar('\n');
            EndLine(flags);
        }

        public static void WriteLine() => WriteChar('\n');

        public static void WriteChar(char c)
        {
            if (c == '\n') Serial16550.Write((byte)'\r');
            Serial16550.Write(c < 128 ? (byte)c : (byte)'?');
        }

        public static void WriteAscii(byte* s, int max)
        {
            for (int i = 0; i < max && s[i] != 0; i++) WriteChar((char)s[i]);
        }

        public static void WriteDecimal(ulong value)
        {
            byte* buf = stackalloc byte[20];
            int n = 0;
            do { buf[n++] = (byte)('0' + (int)(value % 10)); value /= 10; } while (value != 0);
            while (n > 0) WriteChar((char)buf[--n]);
        }

        public static void WriteDecimal(long value)
        {
            if (value < 0) { WriteChar('-'); WriteDecimal(0UL - (ulong)value); }
            else WriteDecimal((ulong)value);
        }

        /// <summary>0x-prefixed hexadecimal, zero-padded to <paramref name="digits"/>.</summary>
        public static void WriteHex(ulong value, int digits = 16)
        {
            Write("0x");
            for (int i = digits - 1; i >= 0; i--)
            {
                int d = (int)((value >> (i * 4)) & 0xF);
                WriteChar((char)(d < 10 ? '0' + d : 'a' + d - 10));
            }
        }

        /// <summary>A "name: value" line, common in the boot log.</summary>
        public static void Info(string prefix, ulong value, string suffix)
        {
            Write(prefix); WriteDecimal(value); WriteLine(suffix);
        }
    }
}
