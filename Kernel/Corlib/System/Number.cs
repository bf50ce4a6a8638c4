namespace System
{
    /// <summary>Integer formatting for ToString and the kernel log.</summary>
    /// <unsafe>Digits go into a stack buffer sized for the most a 64-bit value needs (20 decimal, 16
    /// hexadecimal digits), written from its end backwards while the count stays below that size;
    /// FromBuffer copies exactly the count written into a new string of that length.</unsafe>
    internal static class Number
    {
        public static unsafe string Format(long value)
        {
            if (value >= 0) return FormatUnsigned((ulong)value);
            // Negate in unsigned arithmetic so long.MinValue formats correctly.
            return string.Concat("-", FormatUnsigned(0UL - (ulong)value));
        }

        public static unsafe string FormatUnsigned(ulong value)
        {
            char* buf = stackalloc char[20];
            int n = 0;
            do { buf[19 - n++] = (char)('0' + (int)(value % 10)); value /= 10; } while (value != 0);
            return FromBuffer(buf + 20 - n, n);
        }

        /// <summary>Hexadecimal with at least <paramref name="minDigits"/> digits, no prefix.</summary>
        public static unsafe string FormatHex(ulong value, int minDigits = 1)
        {
            char* buf = stackalloc char[16];
            int n = 0;
            do { int d = (int)(value & 0xF); buf[15 - n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10); value >>= 4; }
            while (value != 0 || n < minDigits && n < 16);
            return FromBuffer(buf + 16 - n, n);
        }

        private static unsafe string FromBuffer(char* chars, int n)
        {
            string s = string.FastAllocate(n);
            fixed (char* d = s)
                for (int i = 0; i < n; i++) d[i] = chars[i];
            return s;
        }
    }
}
