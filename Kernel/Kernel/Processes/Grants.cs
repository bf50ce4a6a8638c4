namespace Singularity.Kernel.Processes
{
    /// <summary>
    /// What each boot module may do beyond running its own code: the authority the system manifest
    /// grants (docs/security.md). Grants are by module name (the boot module's file name), so
    /// every instance of a module gets the same; a SIP gets nothing its module is not granted.
    ///
    ///     grant MODULE [processes] [all] [console-input] [console-lines] [name=PATH]... [bind=PATH]...
    ///
    /// `processes`: the SIP receives a process-manager endpoint at start (/kernel/processes,
    /// Loader/ProcessManager.cs): through it, start boot modules, and wait for, kill and list the
    /// SIPs it started. Holding the endpoint is the authority; this grant decides who gets one.
    /// `all`: with `processes`, wait for, kill and list every SIP (the shell, acting for the person).
    /// `console-input`: the SIP receives a console-input endpoint at start (/kernel/console-input,
    /// IO/ConsoleInputServer.cs): the serial input, while no other SIP holds it.
    /// `console-lines`: the SIP may bind /service/console-lines (the lines typed at the keyboard,
    /// which the console service gives to its newest subscriber): the name service refuses the
    /// bind to any other SIP (<see cref="MayBind"/>), so no SIP can take the keyboard's lines.
    /// `name=PATH`: the SIP may register PATH with the name service (at start from its manifest's
    /// exports, or later by Names.Register); `name=/DIR/*` any name under /DIR/.
    /// `bind=PATH`: the SIP may bind PATH, a guarded name. A name is guarded when it is one of the
    /// input services (<see cref="InputNames"/>: the keyboard's keys and the serial line's bytes go
    /// to their newest subscriber, so binding is taking them) or some module is granted `bind=` it;
    /// the name service refuses a guarded name to every SIP without the grant. Exact paths only (a
    /// `/DIR/*` here would close every name under /DIR/ to everyone else).
    ///
    /// The kernel's defaults (<see cref="Defaults"/>) come first; a `grant` line of the system
    /// manifest replaces everything granted to its module before.
    /// </summary>
    internal static class Grants
    {
        public const int Processes = 1;
        public const int AllSips = 2;
        public const int ConsoleInput = 4;
        public const int ConsoleLines = 8;

        /// <summary>The name only a SIP granted `console-lines` may bind (the console service's typed lines).</summary>
        public const string ConsoleLinesName = "/service/console-lines";

        /// <summary>The input services, guarded whatever the manifest says: only a module granted `bind=` one may bind it.</summary>
        public static readonly string[] InputNames = { "/service/keyboard", "/service/serial" };

        /// <summary>A module may be granted at most this many names (each of its SIPs holds at most NameService.MaxNamesPerSip at once).</summary>
        public const int MaxNames = 16;

        /// <summary>Paths under this prefix name kernel services: never registered by a SIP.</summary>
        public const string KernelPrefix = "/kernel/";

        /// <summary>What the kernel grants when no system manifest says otherwise: the system's own SIPs only.</summary>
        public const string Defaults =
            "grant console name=/service/console name=/service/console-lines bind=/service/keyboard bind=/service/serial\n" +
            "grant keyboard name=/service/keyboard\n" +
            "grant display name=/service/display\n" +
            "grant serial name=/service/serial\n" +
            "grant supervisor processes\n" +
            "grant shell processes all console-input console-lines\n";

        private sealed class Entry
        {
            public string Module;
            public int Rights;
            public string[] Names;
            public string[] Binds;
            public Entry Next;
        }

        private static Entry s_entries;
        private static bool s_defaultsApplied;

        /// <summary>Applies the kernel's defaults once, before the system manifest's lines.</summary>
        public static void ApplyDefaults()
        {
            if (s_defaultsApplied) return;
            s_defaultsApplied = true;
            int p = 0;
            while (p < Defaults.Length)
            {
                int end = Defaults.IndexOf('\n', p);
                if (end < 0) end = Defaults.Length;
                Apply(Defaults.Substring(p + 6, end - p - 6));     // after "grant "
                p = end + 1;
            }
        }

        /// <summary>Whether the SIP may act on <paramref name="target"/>: it started it, or it holds `processes all`.</summary>
        public static bool MayControl(Sip caller, Sip target) => MayControl(caller, target.ParentId);

        /// <summary>Whether the SIP may act on a SIP started by <paramref name="parentId"/> (0: the kernel), whose record may be gone.</summary>
        public static bool MayControl(Sip caller, int parentId) =>
            Has(caller, Processes) && (parentId == caller.Id || Has(caller, Processes | AllSips));

        /// <summary>
        /// Applies the words after `grant` (MODULE and its rights), replacing what the module had.
        /// Null, or what is wrong with the line (then nothing changes).
        /// </summary>
        public static string Apply(string words)
        {
            string module = null;
            int rights = 0;
            var names = new string[MaxNames];
            int nameCount = 0;
            var binds = new string[MaxNames];
            int bindCount = 0;
            int p = 0;
            while (p < words.Length)
            {
                while (p < words.Length && (words[p] == ' ' || words[p] == '\t')) p++;
                int s = p;
                while (p < words.Length && words[p] != ' ' && words[p] != '\t') p++;
                if (p == s) break;
                string word = words.Substring(s, p - s);
                if (module == null) { module = word; continue; }
                if (word == "processes") rights |= Processes;
                else if (word == "all") rights |= AllSips;
                else if (word == "console-input") rights |= ConsoleInput;
                else if (word == "console-lines") rights |= ConsoleLines;
                else if (word.StartsWith("name="))
                {
                    string path = word.Substring(5);
                    if (!IsGrantablePath(path)) return "grants '" + path + "', which is not a service name (1 to 128 printable characters starting with '/', not under " + KernelPrefix + ")";
                    if (nameCount == MaxNames) return "grants more than 16 names to " + module;
                    names[nameCount++] = path;
                }
                else if (word.StartsWith("bind="))
                {
                    string path = word.Substring(5);
                    if (!IsGrantablePath(path) || IsPrefixGrant(path)) return "grants 'bind=" + path + "', which is not one service name (1 to 128 printable characters starting with '/', not under " + KernelPrefix + ", no '/*')";
                    if (bindCount == MaxNames) return "grants more than 16 bind= names to " + module;
                    binds[bindCount++] = path;
                }
                else return "grants '" + word + "', which is not a right (processes, all, console-input, console-lines, name=PATH, bind=PATH)";
            }
            if (module == null) return "names no module";
            var entry = Find(module);
            if (entry == null)
            {
                entry = new Entry { Module = module, Next = s_entries };
                s_entries = entry;
            }
            entry.Rights = rights;
            entry.Names = new string[nameCount];
            for (int i = 0; i < nameCount; i++) entry.Names[i] = names[i];
            entry.Binds = new string[bindCount];
            for (int i = 0; i < bindCount; i++) entry.Binds[i] = binds[i];
            return null;
        }

        /// <summary>Whether the SIP's module holds the right (<see cref="Processes"/>, <see cref="AllSips"/>, <see cref="ConsoleInput"/>, <see cref="ConsoleLines"/>).</summary>
        public static bool Has(Sip sip, int right)
        {
            Entry e = Find(sip.Name);
            return e != null && (e.Rights & right) == right;
        }

        /// <summary>Whether the SIP's module may register the name (ASCII in the SIP's memory, compared in place: a check costs the kernel nothing).</summary>
        public static unsafe bool AllowsName(Sip sip, byte* name, int length)
        {
            Entry e = Find(sip.Name);
            if (e == null) return false;
            for (int i = 0; i < e.Names.Length; i++) if (Matches(e.Names[i], name, length)) return true;
            return false;
        }

        /// <summary>The right a refused bind lacks when it is `bind=` the name (NameService logs the name after it).</summary>
        public const string BindRight = "bind=";

        /// <summary>
        /// Whether the SIP may bind the name (ASCII in the SIP's memory, compared in place): any name
        /// but a guarded one (<see cref="ConsoleLinesName"/>, which needs `console-lines` or its
        /// `bind=`; an input service or a name some module is granted `bind=`, which needs that
        /// grant). Null when it may, else the right it lacks (a constant: a refused SIP that retries
        /// costs the kernel no allocation). Checked whether or not a service holds the name.
        /// </summary>
        public static unsafe string MayBind(Sip sip, byte* name, int length)
        {
            Entry own = Find(sip.Name);
            if (own != null && Lists(own.Binds, name, length)) return null;
            if (Same(ConsoleLinesName, name, length)) return Has(sip, ConsoleLines) ? null : "console-lines";
            return IsGuarded(name, length) ? BindRight : null;
        }

        private static unsafe bool IsGuarded(byte* name, int length)
        {
            for (int i = 0; i < InputNames.Length; i++) if (Same(InputNames[i], name, length)) return true;
            for (Entry e = s_entries; e != null; e = e.Next) if (Lists(e.Binds, name, length)) return true;
            return false;
        }

        private static unsafe bool Lists(string[] paths, byte* name, int length)
        {
            if (paths == null) return false;
            for (int i = 0; i < paths.Length; i++) if (Same(paths[i], name, length)) return true;
            return false;
        }

        // A granted name is exact, or `/DIR/*`: every name that starts with `/DIR/` and goes on.
        private static unsafe bool Matches(string grant, byte* name, int length)
        {
            if (!IsPrefixGrant(grant)) return Same(grant, name, length);
            int n = grant.Length - 1;
            if (length <= n) return false;
            for (int k = 0; k < n; k++) if (grant[k] != (char)name[k]) return false;
            return true;
        }

        private static bool IsPrefixGrant(string grant) => grant.Length >= 2 && grant[grant.Length - 1] == '*' && grant[grant.Length - 2] == '/';

        private static unsafe bool Same(string s, byte* ascii, int length)
        {
            if (s == null || s.Length != length) return false;
            for (int k = 0; k < length; k++) if (s[k] != (char)ascii[k]) return false;
            return true;
        }

        private static bool IsGrantablePath(string path)
        {
            if (path.Length == 0 || path.Length > 128 || path[0] != '/' || path.StartsWith(KernelPrefix)) return false;
            for (int i = 0; i < path.Length; i++) if (path[i] <= ' ' || path[i] > '~') return false;
            return true;
        }

        private static Entry Find(string module)
        {
            for (Entry e = s_entries; e != null; e = e.Next) if (e.Module == module) return e;
            return null;
        }
    }
}
