namespace Singularity.Text
{
    /// <summary>Numbers written in decimal digits, as commands and arguments carry them.</summary>
    public static class Numbers
    {
        /// <summary>
        /// Parses <paramref name="s"/> as a whole number 0..int.MaxValue written in decimal digits only
        /// (no sign, no blanks). False for anything else: empty, another character, or too large.
        /// </summary>
        public static bool TryParseNatural(string s, out int value)
        {
            value = 0;
            if (s.Length == 0) return false;
            int v = 0;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c < '0' || c > '9') return false;
                int digit = c - '0';
                if (v > (int.MaxValue - digit) / 10) return false;
                v = v * 10 + digit;
            }
            value = v;
            return true;
        }
    }
}
