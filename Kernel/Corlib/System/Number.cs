namespace System
{
    /// <summary>Integer formatting for ToString and the kernel log, and decimal parsing for Parse/TryParse.</summary>
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

        /// <summary>An optional sign and one or more decimal digits, nothing else; false on overflow of a long.</summary>
        public static bool TryParse(string s, out long result)
        {
            result = 0;
            if (s == null || s.Length == 0) return false;
            int i = 0;
            bool negative = s[0] == '-';
            if (negative || s[0] == '+') i = 1;
            if (!TryParseDigits(s, i, out ulong magnitude)) return false;
            if (negative)
            {
                if (magnitude > 0x8000000000000000UL) return false;
                result = unchecked((long)(0UL - magnitude));
            }
            else
            {
                if (magnitude > 0x7fffffffffffffffUL) return false;
                result = (long)magnitude;
            }
            return true;
        }

        /// <summary>An optional plus sign and one or more decimal digits; false on overflow of a ulong.</summary>
        public static bool TryParseUnsigned(string s, out ulong result)
        {
            result = 0;
            if (s == null || s.Length == 0) return false;
            return TryParseDigits(s, s[0] == '+' ? 1 : 0, out result);
        }

        private static bool TryParseDigits(string s, int start, out ulong value)
        {
            value = 0;
            if (start >= s.Length) return false;
            for (int i = start; i < s.Length; i++)
            {
                int d = s[i] - '0';
                if ((uint)d > 9) return false;
                if (value > (0xffffffffffffffffUL - (ulong)d) / 10) return false;
                value = value * 10 + (ulong)d;
            }
            return true;
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
