namespace Singularity.Kernel
{
    /// <summary>
    /// What the kernel reads from a SIP's manifest: the JSON the verifier extracts at build time
    /// (docs/verifier.md), which the SIP build embeds in the image as section `.sipmanifest`.
    /// The image may be hostile: every read is bounded, and anything unreadable counts as absent.
    /// </summary>
    internal static unsafe class SipManifest
    {
        public const ulong MaxHeapQuotaMiB = 4096;

        /// <summary>The manifest's heap quota in bytes, or 0 when it declares none.</summary>
        public static ulong HeapQuota(ref ElfImage elf)
        {
            byte* json = elf.FindSection(".sipmanifest", out ulong length);
            if (json == null || length > 64 * 1024) return 0;
            ulong mib = ReadNumber(json, length, "\"heapQuotaMiB\"");
            return mib == 0 || mib > MaxHeapQuotaMiB ? 0 : mib * 1024 * 1024;
        }

        // The unsigned number after `key:`, or 0.
        private static ulong ReadNumber(byte* s, ulong length, string key)
        {
            for (ulong i = 0; i + (ulong)key.Length <= length; i++)
            {
                bool match = true;
                for (int k = 0; k < key.Length && match; k++) match = s[i + (ulong)k] == key[k];
                if (!match) continue;
                ulong p = i + (ulong)key.Length;
                while (p < length && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r')) p++;
                if (p >= length || s[p] != ':') return 0;
                p++;
                while (p < length && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r')) p++;
                ulong value = 0;
                int digits = 0;
                while (p < length && s[p] >= '0' && s[p] <= '9' && digits < 10) { value = value * 10 + (ulong)(s[p] - '0'); p++; digits++; }
                return digits == 0 ? 0 : value;
            }
            return 0;
        }
    }
}
