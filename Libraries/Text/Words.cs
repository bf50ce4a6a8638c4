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

        /// <summary><paramref name="s"/> padded with spaces on the right to <paramref name="width"/> characters (unchanged when already that long).</summary>
        public static string PadRight(string s, int width)
        {
            while (s.Length < width) s = s + " ";
            return s;
        }
    }
}
