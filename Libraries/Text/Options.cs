namespace Singularity.Text
{
    /// <summary>Options written as <c>key=N</c> among the words of an argument string (the supervisor's <c>max=3 backoff=100</c>).</summary>
    public static class Options
    {
        /// <summary>
        /// The number after the first <paramref name="key"/> (e.g. "max=") in <paramref name="text"/>:
        /// its leading decimal digits. <paramref name="fallback"/> when the key is absent, no digit
        /// follows it, or the number is larger than int.MaxValue.
        /// </summary>
        public static int Int(string text, string key, int fallback)
        {
            if (key.Length == 0) return fallback;
            int at = Find(text, key);
            if (at < 0) return fallback;
            int start = at + key.Length, end = start;
            while (end < text.Length && text[end] >= '0' && text[end] <= '9') end++;
            return Numbers.TryParseNatural(text.Substring(start, end - start), out int value) ? value : fallback;
        }

        /// <summary>
        /// The word after the first <paramref name="key"/> (e.g. "restart-args=") in <paramref name="text"/>:
        /// the characters up to the next space. <paramref name="fallback"/> when the key is absent.
        /// </summary>
        public static string Word(string text, string key, string fallback)
        {
            if (key.Length == 0) return fallback;
            int at = Find(text, key);
            if (at < 0) return fallback;
            int start = at + key.Length, end = start;
            while (end < text.Length && text[end] != ' ') end++;
            return text.Substring(start, end - start);
        }

        // Where key (not empty) first occurs in text, or -1.
        private static int Find(string text, string key)
        {
            for (int at = text.IndexOf(key[0]); at >= 0; at = text.IndexOf(key[0], at + 1))
            {
                if (at + key.Length > text.Length) return -1;
                int i = 1;
                while (i < key.Length && text[at + i] == key[i]) i++;
                if (i == key.Length) return at;
            }
            return -1;
        }
    }
}
