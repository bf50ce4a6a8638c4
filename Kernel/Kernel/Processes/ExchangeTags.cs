using Singularity.Abi;

namespace Singularity.Kernel.Processes
{
    /// <summary>
    /// The tags exchange-block headers name owners by (ExchangeHeader.Check; docs/channels.md
    /// "Exchange heap"): 1 to ExchangeHeader.MaxTag, 0 being nobody. Here, not in Ipc, because a
    /// SIP record takes its tag when it is made (Sip.Create). A tag is unique among the SIPs
    /// whose records exist (SipTable): a record leaves the table only after its SIP ended and
    /// ExchangeHeap.ReclaimAll cleared every header that carried its tag, so a reused tag finds
    /// no header naming it. SIP ids would not do: they only grow, and the check word has 24 bits.
    /// </summary>
    internal static class ExchangeTags
    {
        private static uint s_next = 1;
        // Until the tags first run out, each was taken once: none can be held, nothing to look at.
        private static bool s_wrapped;

        /// <summary>A tag no SIP record holds, or 0 if every one is held. Interrupts off.</summary>
        public static uint Take()
        {
            // Taken in turn, so a tag goes back into use as late as possible; after a wrap, one
            // held by a long-lived SIP is skipped. Bounded: the table holds fewer records than tags.
            for (uint tried = 0; tried < ExchangeHeader.MaxTag; tried++)
            {
                uint tag = s_next;
                if (tag == ExchangeHeader.MaxTag) { s_next = 1; s_wrapped = true; }
                else s_next = tag + 1;
                if (!s_wrapped || !Held(tag)) return tag;
            }
            return 0;
        }

        private static bool Held(uint tag)
        {
            for (Sip s = SipTable.First; s != null; s = s.Next) if (s.ExchangeTag == tag) return true;
            return false;
        }
    }
}
