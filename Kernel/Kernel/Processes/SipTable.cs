namespace Singularity.Kernel.Processes
{
    /// <summary>
    /// The SIP records the kernel holds, newest first: every running SIP, and ended ones until their
    /// records are freed (Sip.TryFreeRecord; SipExitLog keeps how they ended). Changed with
    /// interrupts off.
    /// </summary>
    internal static class SipTable
    {
        private static Sip s_head;

        public static Sip First => s_head;

        public static void Add(Sip sip)
        {
            sip.Next = s_head;
            s_head = sip;
        }

        public static void Remove(Sip sip)
        {
            if (s_head == sip) { s_head = sip.Next; return; }
            for (Sip s = s_head; s != null; s = s.Next)
                if (s.Next == sip) { s.Next = sip.Next; return; }
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
