namespace Singularity.Kernel.Diagnostics
{
    /// <summary>
    /// Short strings built in a caller's stack buffer. The kernel has no collector: string.Concat of
    /// more than two parts and number formatting leave intermediate strings on the kernel heap, so
    /// code that runs on a SIP's behalf (and must leave nothing behind) builds its text here and
    /// makes one string of it, which it frees when done.
    /// </summary>
    internal static unsafe class Text
    {
        /// <summary>Appends as much of <paramref name="s"/> as fits in <paramref name="capacity"/> characters.</summary>
        public static void Append(char* buffer, int capacity, ref int length, string s)
        {
            if (s == null) return;
            for (int i = 0; i < s.Length && length < capacity; i++) buffer[length++] = s[i];
        }

        /// <summary>Appends <paramref name="value"/> in decimal, if it fits whole.</summary>
        public static void Append(char* buffer, int capacity, ref int length, ulong value)
        {
            char* digits = stackalloc char[20];
            int n = 0;
            do { digits[n++] = (char)('0' + (int)(value % 10)); value /= 10; } while (value != 0);
            if (length + n > capacity) return;
            while (n > 0) buffer[length++] = digits[--n];
        }

        /// <summary>Appends <paramref name="value"/> in hexadecimal (at least <paramref name="minDigits"/> digits), if it fits whole.</summary>
        public static void AppendHex(char* buffer, int capacity, ref int length, ulong value, int minDigits)
        {
            char* digits = stackalloc char[16];
            int n = 0;
            do { int d = (int)(value & 15); digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10); value >>= 4; } while (value != 0);
            while (n < minDigits && n < 16) digits[n++] = '0';
            if (length + n > capacity) return;
            while (n > 0) buffer[length++] = digits[--n];
        }

        /// <summary>A decimal number of 1 to 18 digits (no sign, no spaces): command-line and manifest values, SIP ids.</summary>
        public static bool TryParseDecimal(string s, out ulong value)
        {
            value = 0;
            if (s == null || s.Length == 0 || s.Length > 18) return false;
            for (int i = 0; i < s.Length; i++)
            {
                if (s[i] < '0' || s[i] > '9') return false;
                value = value * 10 + (ulong)(s[i] - '0');
            }
            return true;
        }
    }
}
