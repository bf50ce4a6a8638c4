namespace Singularity.Kernel.Processes
{
    /// <summary>
    /// How the last <see cref="Capacity"/> SIPs ended (id, parent, name, exit status), for `ps`,
    /// SipList and SipWait once their records are freed. A fixed table made at boot: a SIP's end
    /// costs the kernel nothing that stays, however many SIPs come and go.
    /// </summary>
    internal static class SipExitLog
    {
        public const int Capacity = 64;
        public const int NameLength = 31;

        private static int[] s_ids, s_parents, s_codes;
        private static byte[] s_states;
        private static char[] s_names;
        private static int s_next, s_count;

        public static void Initialize()
        {
            s_ids = new int[Capacity];
            s_parents = new int[Capacity];
            s_codes = new int[Capacity];
            s_states = new byte[Capacity];
            s_names = new char[Capacity * NameLength];
        }

        /// <summary>Records a SIP's end (interrupts off), overwriting the oldest entry when full.</summary>
        public static void Record(Sip sip)
        {
            int i = s_next;
            s_next = (s_next + 1) % Capacity;
            if (s_count < Capacity) s_count++;
            s_ids[i] = sip.Id;
            s_parents[i] = sip.ParentId;
            s_codes[i] = sip.ExitCode;
            s_states[i] = (byte)sip.State;
            int n = 0;
            for (; n < sip.Name.Length && n < NameLength; n++) s_names[i * NameLength + n] = sip.Name[n];
            for (; n < NameLength; n++) s_names[i * NameLength + n] = '\0';
        }

        /// <summary>Entries, newest first: index 0 is the SIP that ended last.</summary>
        public static int Count => s_count;

        private static int Slot(int newest) => ((s_next - 1 - newest) % Capacity + Capacity) % Capacity;

        public static int IdAt(int newest) => s_ids[Slot(newest)];
        public static int ParentAt(int newest) => s_parents[Slot(newest)];
        public static int ExitCodeAt(int newest) => s_codes[Slot(newest)];
        public static SipState StateAt(int newest) => (SipState)s_states[Slot(newest)];

        /// <summary>The name's character k, or '\0' past its end.</summary>
        public static char NameCharAt(int newest, int k) => k < NameLength ? s_names[Slot(newest) * NameLength + k] : '\0';

        /// <summary>The entry (newest first) for a SIP id, or -1.</summary>
        public static int Find(int id)
        {
            for (int k = 0; k < s_count; k++) if (IdAt(k) == id) return k;
            return -1;
        }
    }
}
