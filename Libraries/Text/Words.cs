namespace Singularity.Text
{
    /// <summary>Words of a command line: blanks around them trimmed, the first word split off, columns padded.</summary>
    public static class Words
    {
        /// <summary><paramref name="s"/> without the spaces at its start and end.</summary>
        public static string Trim(string s)
        {
            int a = 0, b = s.Length;
            while (a < b && s[a] == ' ') a++;
            while (b > a && s[b - 1] == ' ') b--;
            return s.Substring(a, b - a);
        }

        /// <summary>The first word of <paramref name="line"/> (up to its first space); <paramref name="rest"/> is what follows that space, trimmed ("" when none).</summary>
        public static string First(string line, out string rest)
        {
            int space = line.IndexOf(' ');
            if (space < 0) { rest = ""; return line; }
            rest = Trim(line.Substring(space + 1));
            return line.Substring(0, space);
        }

        /// <summary>The words of <paramref name="s"/>, split at spaces (runs of spaces separate; none at the ends).</summary>
        public static string[] Split(string s)
        {
            int count = 0;
            for (int i = 0; i < s.Length; i++) if (s[i] != ' ' && (i == 0 || s[i - 1] == ' ')) count++;
            var words = new string[count];
            int w = 0, start = -1;
            for (int i = 0; i <= s.Length; i++)
            {
                bool space = i == s.Length || s[i] == ' ';
                if (!space && start < 0) start = i;
                if (space && start >= 0) { words[w++] = s.Substring(start, i - start); start = -1; }
            }
            return words;
        }

        /// <summary><paramref name="s"/> padded with spaces on the right to <paramref name="width"/> characters (unchanged when already that long).</summary>
        public static string PadRight(string s, int width)
        {
            while (s.Length < width) s = s + " ";
            return s;
        }
    }
}
