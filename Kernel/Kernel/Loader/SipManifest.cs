using Singularity.Kernel.Processes;
using Singularity.Kernel.Memory;
namespace Singularity.Kernel.Loader
{
    /// <summary>
    /// What the kernel reads from a SIP's manifest: the JSON the verifier extracts at build time
    /// (docs/verifier.md), which the SIP build embeds in the image as section `.sipmanifest`.
    /// The image may be hostile: every read is bounded, and anything unreadable counts as absent.
    /// </summary>
    internal static unsafe class SipManifest
    {
        public const ulong MaxHeapQuotaMiB = 4096;

        /// <summary>What every start of an image asks of its manifest (<see cref="Read"/>).</summary>
        public struct Facts
        {
            public byte* Json;          // the manifest, or null
            public ulong Length;
            public ulong HeapQuota;     // bytes, 0 when it declares none
            public bool HasExports, HasImports;
            public bool MayAskForHardware;      // the I/O manager must read it at start (docs/drivers.md)
            public bool RelocationsChecked;     // a load of this image found its relocations valid (ElfImage.LoadAt)
        }

        // The I/O manager's question (a layer above; Boot/Kernel.cs ConnectLayers): does this
        // manifest ask for hardware, or is its driver part malformed? Asked once per image.
        private static delegate*<byte*, ulong, bool> s_asksForHardware;

        /// <summary>Registers the I/O manager's reading of a manifest's driver part.</summary>
        public static void SetHardwareQuery(delegate*<byte*, ulong, bool> asks) => s_asksForHardware = asks;

        // Facts of the images started so far, found once per image: images are boot modules,
        // which nothing writes, so an image's address and size name its manifest for good. In
        // static data (no kernel heap: a start must leave the heap as it found it); when full,
        // further images are read at each start.
        private const int CachedImages = 32;
        private struct FactCache
        {
            public fixed ulong Image[CachedImages];
            public fixed ulong Size[CachedImages];
            public fixed ulong Json[CachedImages];
            public fixed ulong Length[CachedImages];
            public fixed ulong Quota[CachedImages];
            public fixed byte Lists[CachedImages];      // 1: exports, 2: imports, 4: may ask for hardware, 8: relocations checked
            public int Count;
        }
        private static FactCache s_cache;

        /// <summary>
        /// The manifest facts of the image at <paramref name="image"/> (<paramref name="elf"/>
        /// reads it), from the cache after its first start. Interrupts may be on: an entry is
        /// published by its count, after its fields are written.
        /// </summary>
        public static Facts Read(ref ElfImage elf, byte* image, ulong size)
        {
            Facts f;
            int n = s_cache.Count;
            for (int i = 0; i < n; i++)
            {
                if (s_cache.Image[i] != (ulong)image || s_cache.Size[i] != size) continue;
                f.Json = (byte*)s_cache.Json[i];
                f.Length = s_cache.Length[i];
                f.HeapQuota = s_cache.Quota[i];
                f.HasExports = (s_cache.Lists[i] & 1) != 0;
                f.HasImports = (s_cache.Lists[i] & 2) != 0;
                f.MayAskForHardware = (s_cache.Lists[i] & 4) != 0;
                f.RelocationsChecked = (s_cache.Lists[i] & 8) != 0;
                return f;
            }
            f.Json = Find(ref elf, out f.Length);
            f.HeapQuota = HeapQuota(f.Json, f.Length);
            bool malformed = false;
            f.HasExports = ListsAny(f.Json, f.Length, "exports", ref malformed);
            f.HasImports = ListsAny(f.Json, f.Length, "imports", ref malformed);
            // Without the query (no I/O manager registered) every start asks the hook, if any.
            f.MayAskForHardware = s_asksForHardware == null || s_asksForHardware(f.Json, f.Length);
            f.RelocationsChecked = false;
            if (malformed) return f;
            ulong flags = Arch.Cpu.ReadRflags();
            Arch.Cpu.DisableInterrupts();
            n = s_cache.Count;
            if (n < CachedImages)
            {
                s_cache.Image[n] = (ulong)image;
                s_cache.Size[n] = size;
                s_cache.Json[n] = (ulong)f.Json;
                s_cache.Length[n] = f.Length;
                s_cache.Quota[n] = f.HeapQuota;
                s_cache.Lists[n] = (byte)((f.HasExports ? 1 : 0) | (f.HasImports ? 2 : 0) | (f.MayAskForHardware ? 4 : 0));
                s_cache.Count = n + 1;
            }
            if ((flags & (1 << 9)) != 0) Arch.Cpu.EnableInterrupts();
            return f;
        }

        /// <summary>
        /// A load of the image at <paramref name="image"/> found every relocation valid and none
        /// inside the relocation table (ElfImage.LoadAt): later loads of it skip those checks. Only
        /// for a cached image (a boot module: its bytes never change).
        /// </summary>
        public static void NoteRelocationsChecked(byte* image, ulong size)
        {
            ulong flags = Arch.Cpu.ReadRflags();
            Arch.Cpu.DisableInterrupts();
            int n = s_cache.Count;
            for (int i = 0; i < n; i++)
                if (s_cache.Image[i] == (ulong)image && s_cache.Size[i] == size) s_cache.Lists[i] |= 8;
            if ((flags & (1 << 9)) != 0) Arch.Cpu.EnableInterrupts();
        }

        // Whether the manifest's list names any path, or is malformed (then every start reads it
        // again and reports the error): an empty or absent list needs no reading at each start.
        // The errors are literals: nothing is left on the kernel heap.
        private static bool ListsAny(byte* json, ulong length, string list, ref bool malformed)
        {
            string[] paths = EndpointPaths(json, length, list, out string error);
            if (error != null) malformed = true;
            if (paths == null) return error != null;
            for (int i = 0; i < paths.Length; i++) Allocator.Free(paths[i]);
            Allocator.Free(paths);
            return true;
        }

        /// <summary>The image's embedded manifest, or null (none, or larger than 64 KiB).</summary>
        public static byte* Find(ref ElfImage elf, out ulong length)
        {
            byte* json = elf.FindSection(".sipmanifest", out length);
            if (json == null || length > 64 * 1024) { length = 0; return null; }
            return json;
        }

        /// <summary>The manifest's heap quota in bytes, or 0 when it declares none.</summary>
        public static ulong HeapQuota(byte* json, ulong length)
        {
            if (json == null) return 0;
            ulong mib = ReadNumber(json, length, "\"heapQuotaMiB\"");
            return mib == 0 || mib > MaxHeapQuotaMiB ? 0 : mib * 1024 * 1024;
        }

        /// <summary>
        /// The "path" of every object in the manifest's <paramref name="list"/> array ("imports" or
        /// "exports"); null when there are none. A path must be 1-128 printable ASCII characters
        /// beginning with '/', else <paramref name="error"/> names the problem.
        /// </summary>
        public static string[] EndpointPaths(byte* s, ulong length, string list, out string error)
        {
            error = null;
            if (s == null) return null;
            // A literal key: the kernel has no collector, and a SIP start must leave nothing behind.
            string key = list == "exports" ? "\"exports\"" : list == "imports" ? "\"imports\"" : null;
            if (key == null) return null;
            ulong p = FindKey(s, length, 0, key);
            if (p == ulong.MaxValue) return null;
            p = SkipSpace(s, length, p);
            if (p >= length || s[p] != ':') return null;
            p = SkipSpace(s, length, p + 1);
            if (p >= length || s[p] != '[') return null;
            // Collect "path" values inside the array (objects do not nest in a manifest entry).
            var paths = new string[8];
            int count = 0;
            ulong end = p + 1;
            int depth = 1;
            while (end < length && depth > 0)
            {
                byte c = s[end];
                if (c == '"')
                {
                    ulong close = StringEnd(s, length, end);
                    if (close == ulong.MaxValue) { error = "manifest: unterminated string"; return null; }
                    if (depth == 2 && IsKey(s, end, close, "path"))
                    {
                        ulong v = SkipSpace(s, length, close + 1);
                        if (v >= length || s[v] != ':') { error = "manifest: \"path\" without a value"; return null; }
                        v = SkipSpace(s, length, v + 1);
                        if (v >= length || s[v] != '"') { error = "manifest: a path is not a string"; return null; }
                        ulong vend = StringEnd(s, length, v);
                        if (vend == ulong.MaxValue) { error = "manifest: unterminated string"; return null; }
                        string path = ReadPath(s, v + 1, vend, out error);
                        if (path == null) return null;
                        if (count == paths.Length) { error = key == "\"exports\"" ? "manifest: more than 8 exports" : "manifest: more than 8 imports"; return null; }
                        paths[count++] = path;
                        end = vend + 1;
                        continue;
                    }
                    end = close + 1;
                    continue;
                }
                if (c == '[' || c == '{') depth++;
                else if (c == ']' || c == '}') depth--;
                end++;
            }
            string[] result = null;
            if (count > 0)
            {
                result = new string[count];
                for (int i = 0; i < count; i++) result[i] = paths[i];
            }
            Allocator.Free(paths);
            return result;
        }

        private static string ReadPath(byte* s, ulong start, ulong end, out string error)
        {
            error = null;
            ulong n = end - start;
            if (n == 0 || n > 128 || s[start] != '/') { error = "manifest: an endpoint path must be 1 to 128 characters starting with '/'"; return null; }
            for (ulong i = start; i < end; i++)
                if (s[i] < 0x21 || s[i] > 0x7e || s[i] == '\\') { error = "manifest: an endpoint path holds a character other than printable ASCII"; return null; }
            return string.FromAscii(s + start, (int)n);
        }

        // The index of the closing quote of the string starting at `open`, or MaxValue.
        private static ulong StringEnd(byte* s, ulong length, ulong open)
        {
            for (ulong i = open + 1; i < length; i++)
            {
                if (s[i] == '\\') { i++; continue; }
                if (s[i] == '"') return i;
            }
            return ulong.MaxValue;
        }

        private static bool IsKey(byte* s, ulong open, ulong close, string key)
        {
            if (close - open - 1 != (ulong)key.Length) return false;
            for (int k = 0; k < key.Length; k++) if (s[open + 1 + (ulong)k] != key[k]) return false;
            return true;
        }

        private static ulong SkipSpace(byte* s, ulong length, ulong p)
        {
            while (p < length && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r')) p++;
            return p;
        }

        // The index just after `key` (a quoted key), or MaxValue. The key is copied to bytes once:
        // this runs on every SIP start.
        private static ulong FindKey(byte* s, ulong length, ulong from, string key)
        {
            int n = key.Length;
            if (n == 0 || n > 64) return ulong.MaxValue;
            byte* k = stackalloc byte[n];
            for (int i = 0; i < n; i++) k[i] = (byte)key[i];
            for (ulong i = from; i + (ulong)n <= length; i++)
            {
                if (s[i] != k[0]) continue;
                int j = 1;
                while (j < n && s[i + (ulong)j] == k[j]) j++;
                if (j == n) return i + (ulong)n;
            }
            return ulong.MaxValue;
        }

        // The unsigned number after `key:`, or 0.
        private static ulong ReadNumber(byte* s, ulong length, string key)
        {
            ulong p = FindKey(s, length, 0, key);
            if (p == ulong.MaxValue) return 0;
            p = SkipSpace(s, length, p);
            if (p >= length || s[p] != ':') return 0;
            p = SkipSpace(s, length, p + 1);
            ulong value = 0;
            int digits = 0;
            while (p < length && s[p] >= '0' && s[p] <= '9' && digits < 10) { value = value * 10 + (ulong)(s[p] - '0'); p++; digits++; }
            return digits == 0 ? 0 : value;
        }
    }
}
