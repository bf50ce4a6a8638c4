using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Processes;
using Singularity.Kernel.Arch;

namespace Singularity.Kernel.Loader
{
    /// <summary>
    /// Starts the SIPs the boot loader brought as multiboot modules. A module's string is
    /// "path [arguments]"; its name is the file name without directory and extension.
    /// The `sips=` kernel option picks modules and instance counts.
    /// </summary>
    internal static unsafe class BootModules
    {
        private static Sip[] s_started;
        private static int s_count;
        private static MultibootInfo s_mb;
        private static bool s_haveMb;
        private static ulong s_defaultQuota = Sip.DefaultHeapQuota;

        /// <summary>The heap quota for SIPs whose manifest declares none (kernel option `sipquota=`).</summary>
        public static ulong DefaultQuota => s_defaultQuota;

        /// <summary>Remembers the loader's module list so modules can be found by name later.</summary>
        public static void Record(MultibootInfo mb)
        {
            s_mb = mb;
            s_haveMb = true;
        }

        /// <summary>The image of the boot module called <paramref name="name"/>.</summary>
        public static bool Find(string name, out byte* image, out ulong size)
        {
            image = null; size = 0;
            if (!s_haveMb) return false;
            for (uint i = 0; i < s_mb.ModuleCount; i++)
            {
                s_mb.GetModule(i, out ulong start, out ulong end, out byte* raw);
                if (!NameIs(raw, name)) continue;
                image = (byte*)start; size = end - start;
                return true;
            }
            return false;
        }

        // Whether a module line's name (as SplitModuleLine finds it) is `name`, without allocating:
        // SIPs look modules up by name (SipStart), and each lookup must cost the kernel nothing.
        private static bool NameIs(byte* raw, string name)
        {
            if (raw == null) return name == "sip";
            int end = 0;
            while (end < 1024 && raw[end] != 0 && raw[end] != ' ') end++;
            int from = 0;
            for (int i = 0; i < end; i++) if (raw[i] == '/') from = i + 1;
            int to = from;
            while (to < end && raw[to] != '.') to++;
            if (to == from) return name == "sip";
            if (to - from != name.Length) return false;
            for (int i = 0; i < name.Length; i++) if (raw[from + i] != name[i]) return false;
            return true;
        }

        /// <summary>Starts every boot module (each `sips` names, that many times; all once when it is null) with a heap quota of quotaMiB.</summary>
        public static void StartAll(MultibootInfo mb, string sips, ulong quotaMiB)
        {
            s_started = new Sip[256];
            s_defaultQuota = quotaMiB * 1024 * 1024;
            // Authority first: no SIP starts before the system manifest's grants are known.
            bool haveManifest = Find(SystemManifest.ModuleName, out byte* manifest, out ulong manifestSize) && SystemManifest.Is(SystemManifest.ModuleName, manifest, manifestSize);
            SystemManifest.ApplyGrants(haveManifest ? manifest : null, manifestSize);
            uint n = mb.ModuleCount;
            if (n == 0) return;
            Log.Write("boot modules: "); Log.WriteDecimal((ulong)n); Log.WriteLine();
            SipLoader.DeferStarts();
            for (uint i = 0; i < n; i++)
            {
                mb.GetModule(i, out ulong start, out ulong end, out byte* raw);
                string line = raw == null ? "" : string.FromAscii(raw, 1024);
                SplitModuleLine(line, out string name, out string args);
                if (SystemManifest.Is(name, (byte*)start, end - start)) continue;   // read below
                int instances = sips == null ? 1 : InstancesRequested(sips, name);
                for (int k = 0; k < instances; k++)
                {
                    Sip sip = SipLoader.Start(name, args, (byte*)start, end - start, SipQuota.Default(quotaMiB * 1024 * 1024), CpuGrant.Default, null, out string error, keepRecord: true);
                    ulong whole = Log.BeginLine();
                    if (sip == null) { Log.Write("sip "); Log.Write(name); Log.Write(" not started: "); Log.WriteLine(error); }
                    else
                    {
                        // Where the image sits (load address, link address of its lowest byte): lets
                        // Tests/bench-profile place a SIP's code exactly. Boot modules only, so the
                        // line costs SipLoader.Start (and ./sing bench's SIP start) nothing.
                        Log.Write("sip "); Log.Write(name); Log.Write("#"); Log.WriteDecimal((ulong)sip.Id); Log.Write(" started, image ");
                        Log.WriteHex(sip.ImageBase); Log.Write(" linked at "); Log.WriteHex(sip.ImageLow); Log.WriteLine();
                    }
                    Log.EndLine(whole);
                    if (sip != null) Track(sip);
                }
            }
            if (sips != null) WarnUnknown(sips, mb);
            if (haveManifest)
                SystemManifest.StartServices(manifest, manifestSize, quotaMiB * 1024 * 1024);
            SipLoader.StartDeferred();
        }

        /// <summary>Counts a SIP started at boot (for WaitForAll).</summary>
        public static void Track(Sip sip)
        {
            if (s_count < s_started.Length) s_started[s_count++] = sip;
        }

        /// <summary>Blocks the calling kernel thread until every SIP started at boot has ended.</summary>
        public static void WaitForAll()
        {
            for (int i = 0; i < s_count; i++)
            {
                Sip sip = s_started[i];
                Arch.Cpu.DisableInterrupts();
                if (sip.IsAlive) Scheduler.Block(sip.ExitWaiters, 0);
                Arch.Cpu.EnableInterrupts();
            }
        }

        public static void SplitModuleLine(string line, out string name, out string args)
        {
            int space = line.IndexOf(' ');
            string path = space < 0 ? line : line.Substring(0, space);
            args = space < 0 ? "" : line.Substring(space + 1);
            int slash = -1;
            for (int i = 0; i < path.Length; i++) if (path[i] == '/') slash = i;
            string file = path.Substring(slash + 1);
            int dot = file.IndexOf('.');
            name = dot < 0 ? file : file.Substring(0, dot);
            if (name.Length == 0) name = "sip";
        }

        // `sips=a,b*3`: how many instances of module `name` to start (0 if not listed).
        private static int InstancesRequested(string spec, string name)
        {
            int total = 0, i = 0;
            while (i < spec.Length)
            {
                int start = i;
                while (i < spec.Length && spec[i] != ',') i++;
                string item = spec.Substring(start, i - start);
                i++;
                int star = item.IndexOf('*');
                string itemName = star < 0 ? item : item.Substring(0, star);
                if (itemName != name) continue;
                ulong count = 1;
                if (star >= 0 && (!Text.TryParseDecimal(item.Substring(star + 1), out count) || count > 256)) count = 1;
                total += (int)count;
            }
            return total;
        }

        private static void WarnUnknown(string spec, MultibootInfo mb)
        {
            int i = 0;
            while (i < spec.Length)
            {
                int start = i;
                while (i < spec.Length && spec[i] != ',') i++;
                string item = spec.Substring(start, i - start);
                i++;
                int star = item.IndexOf('*');
                string itemName = star < 0 ? item : item.Substring(0, star);
                bool found = false;
                for (uint m = 0; m < mb.ModuleCount && !found; m++)
                {
                    mb.GetModule(m, out _, out _, out byte* raw);
                    SplitModuleLine(raw == null ? "" : string.FromAscii(raw, 1024), out string name, out _);
                    found = name == itemName;
                }
                if (!found) { Log.Write("warning: sips= names '"); Log.Write(itemName); Log.WriteLine("', which is not a boot module"); }
            }
        }
    }
}
