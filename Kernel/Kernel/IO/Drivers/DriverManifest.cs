namespace Singularity.Kernel.IO.Drivers
{
    /// <summary>
    /// The driver part of a SIP's manifest (the JSON the verifier extracts, docs/verifier.md):
    /// "device" (a signature: `pci/ven_VVVV&amp;dev_DDDD`, or a legacy name such as `isa/i8042`),
    /// "ioPorts" and "ioMemory" (arrays of {"base", "length"}) and "irqs" (an array of lines).
    /// The image may be hostile: every read is bounded, numbers are checked, and anything that does
    /// not parse is an error naming the problem (the SIP does not start).
    /// </summary>
    internal unsafe struct DriverManifest
    {
        public const int MaxRanges = 8, MaxIrqs = 4, MaxSignature = 64;

        public bool HasDevice;
        public bool IsPci;
        public int Vendor, Device;
        public fixed byte Signature[MaxSignature];
        public int SignatureLength;
        public int PortCount, MemoryCount, IrqCount;
        public fixed ulong PortBase[MaxRanges];
        public fixed ulong PortLength[MaxRanges];
        public fixed ulong MemoryBase[MaxRanges];
        public fixed ulong MemoryLength[MaxRanges];
        public fixed int Irqs[MaxIrqs];

        public bool AsksForAnything => HasDevice || PortCount > 0 || MemoryCount > 0 || IrqCount > 0;

        /// <summary>Reads the driver entries of <paramref name="s"/>; null, or what is wrong with them.</summary>
        public static string Read(byte* s, ulong length, DriverManifest* m)
        {
            *m = default;
            if (s == null) return null;
            ulong p = FindKey(s, length, "\"device\"");
            if (p != ulong.MaxValue)
            {
                p = Skip(s, length, p);
                if (p < length && s[p] == 'n') { }          // null: no device
                else
                {
                    if (p >= length || s[p] != '"') return "manifest: \"device\" is not a string";
                    string error = ReadString(s, length, p + 1, m);
                    if (error != null) return error;
                    m->HasDevice = true;
                    ParsePci(m);
                }
            }
            string e = ReadRanges(s, length, "\"ioPorts\"", m->PortBase, m->PortLength, &m->PortCount, 0x10000);
            if (e != null) return e;
            e = ReadRanges(s, length, "\"ioMemory\"", m->MemoryBase, m->MemoryLength, &m->MemoryCount, 1UL << 52);
            if (e != null) return e;
            p = FindKey(s, length, "\"irqs\"");
            if (p != ulong.MaxValue)
            {
                p = Skip(s, length, p);
                if (p >= length || s[p] != '[') return "manifest: \"irqs\" is not an array";
                p++;
                while (true)
                {
                    p = Skip(s, length, p);
                    if (p >= length) return "manifest: unterminated \"irqs\"";
                    if (s[p] == ']') break;
                    if (s[p] == ',') { p++; continue; }
                    if (!ReadNumber(s, length, ref p, out ulong line) || line > 15) return "manifest: an irq is not a line 0-15";
                    if (m->IrqCount == MaxIrqs) return "manifest: more than 4 irqs";
                    m->Irqs[m->IrqCount++] = (int)line;
                }
            }
            if (!m->HasDevice && (m->PortCount > 0 || m->MemoryCount > 0 || m->IrqCount > 0))
                return "I/O resources are requested without a device: only drivers get I/O resources";
            return null;
        }

        // The string's characters (\u00XX escapes decoded: the verifier's JSON writes '&' as \u0026).
        private static string ReadString(byte* s, ulong length, ulong p, DriverManifest* m)
        {
            int n = 0;
            while (p < length && s[p] != '"')
            {
                byte c = s[p];
                if (c == '\\')
                {
                    if (p + 5 < length && s[p + 1] == 'u' && Hex(s[p + 2]) == 0 && Hex(s[p + 3]) == 0 && Hex(s[p + 4]) >= 0 && Hex(s[p + 5]) >= 0)
                    { c = (byte)(Hex(s[p + 4]) * 16 + Hex(s[p + 5])); p += 6; }
                    else return "manifest: an escape in \"device\" the kernel does not read";
                }
                else p++;
                if (c < 0x21 || c > 0x7e) return "manifest: \"device\" holds a character other than printable ASCII";
                if (n == MaxSignature) return "manifest: \"device\" is longer than 64 characters";
                m->Signature[n++] = c;
            }
            if (p >= length) return "manifest: unterminated string";
            if (n == 0) return "manifest: an empty \"device\"";
            m->SignatureLength = n;
            return null;
        }

        // `pci/ven_VVVV&dev_DDDD` (hex, either case): a PCI driver.
        private static void ParsePci(DriverManifest* m)
        {
            if (m->SignatureLength != 21) return;
            byte* g = m->Signature;
            if (!Is(g, 0, "pci/ven_") || g[12] != '&' || !Is(g, 13, "dev_")) return;
            int v = 0, d = 0;
            for (int i = 0; i < 4; i++)
            {
                int a = Hex(g[8 + i]), b = Hex(g[17 + i]);
                if (a < 0 || b < 0) return;
                v = v * 16 + a; d = d * 16 + b;
            }
            m->IsPci = true; m->Vendor = v; m->Device = d;
        }

        private static bool Is(byte* g, int at, string text)
        {
            for (int i = 0; i < text.Length; i++) if (g[at + i] != text[i]) return false;
            return true;
        }

        private static int Hex(byte c) => c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

        // An array of {"base": N, "length": N} objects; each range must lie below `limit`.
        private static string ReadRanges(byte* s, ulong length, string key, ulong* bases, ulong* lengths, int* count, ulong limit)
        {
            ulong p = FindKey(s, length, key);
            if (p == ulong.MaxValue) return null;
            p = Skip(s, length, p);
            if (p >= length || s[p] != '[') return "manifest: an I/O range list is not an array";
            p++;
            while (true)
            {
                p = Skip(s, length, p);
                if (p >= length) return "manifest: unterminated I/O range list";
                if (s[p] == ']') return null;
                if (s[p] == ',') { p++; continue; }
                if (s[p] != '{') return "manifest: an I/O range is not an object";
                ulong b = ulong.MaxValue, l = ulong.MaxValue;
                p++;
                while (true)
                {
                    p = Skip(s, length, p);
                    if (p >= length) return "manifest: unterminated I/O range";
                    if (s[p] == '}') { p++; break; }
                    if (s[p] == ',') { p++; continue; }
                    bool isBase = p + 6 <= length && Is(s + p, 0, "\"base\"");
                    bool isLength = p + 8 <= length && Is(s + p, 0, "\"length\"");
                    if (!isBase && !isLength) return "manifest: an I/O range holds a key other than base and length";
                    p += isBase ? 6UL : 8UL;
                    p = Skip(s, length, p);
                    if (p >= length || s[p] != ':') return "manifest: an I/O range key without a value";
                    p = Skip(s, length, p + 1);
                    if (!ReadNumber(s, length, ref p, out ulong v)) return "manifest: an I/O range value is not a number";
                    if (isBase) b = v; else l = v;
                }
                if (b == ulong.MaxValue || l == ulong.MaxValue || l == 0 || b >= limit || l > limit - b)
                    return "manifest: an I/O range without a base and a positive length inside its space";
                if (*count == MaxRanges) return "manifest: more than 8 I/O ranges of one kind";
                bases[*count] = b; lengths[*count] = l; (*count)++;
            }
        }

        // A non-negative decimal below 2^60.
        private static bool ReadNumber(byte* s, ulong length, ref ulong p, out ulong value)
        {
            value = 0;
            ulong start = p;
            while (p < length && s[p] >= '0' && s[p] <= '9')
            {
                if (value >= (1UL << 56)) return false;
                value = value * 10 + (ulong)(s[p] - '0');
                p++;
            }
            return p > start;
        }

        // Just past the key's closing quote and its ':' (the key must be followed by one), or MaxValue.
        private static ulong FindKey(byte* s, ulong length, string key)
        {
            ulong k = (ulong)key.Length;
            for (ulong i = 0; i + k <= length; i++)
            {
                bool match = true;
                for (ulong j = 0; j < k; j++) if (s[i + j] != key[(int)j]) { match = false; break; }
                if (!match) continue;
                ulong p = Skip(s, length, i + k);
                if (p < length && s[p] == ':') return p + 1;
            }
            return ulong.MaxValue;
        }

        private static ulong Skip(byte* s, ulong length, ulong p)
        {
            while (p < length && (s[p] == ' ' || s[p] == '\n' || s[p] == '\r' || s[p] == '\t')) p++;
            return p;
        }
    }
}
