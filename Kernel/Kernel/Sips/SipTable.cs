namespace Singularity.Kernel
{
    /// <summary>Every SIP started since boot, newest first (dead ones keep their exit status for `ps`).</summary>
    internal static class SipTable
    {
        private static Sip s_head;

        public static Sip First => s_head;

        public static void Add(Sip sip)
        {
            sip.Next = s_head;
            s_head = sip;
        }

        public static Sip Find(int id)
        {
            for (Sip s = s_head; s != null; s = s.Next) if (s.Id == id) return s;
            return null;
        }

        public static int LiveCount
        {
            get
            {
                int n = 0;
                for (Sip s = s_head; s != null; s = s.Next) if (s.IsAlive) n++;
                return n;
            }
        }
    }
}
