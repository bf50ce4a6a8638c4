using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.Loader
{
    /// <summary>
    /// The system manifest: a text boot module named `system` (system.manifest) that says which
    /// services run under supervision and with what restart policy. Each line
    ///
    ///     service MODULE [ARGUMENTS...] [restart=MAX] [backoff=MS] [exits=restart|stop] [heap=MiB] [exchange=MiB] [blocks=N] [kernel=MiB] [threads=N] [cpu=SHARE] [priority=low|normal|high]
    ///
    /// starts the `supervisor` boot module with `max=MAX backoff=MS [exits=...] -- MODULE ARGUMENTS`;
    /// the supervisor starts the service and restarts it by that policy (`exits=restart`: a normal
    /// exit is restarted too). The grant words give the
    /// supervisor, and so the service that runs on its grant, other limits than the kernel's
    /// defaults (docs/accounting.md); `cpu=` and `priority=` are its CPU grant, which the service
    /// inherits (default: CpuGrant.Default). `#` starts a comment. A
    /// line
    ///
    ///     grant MODULE [processes] [all] [console-input] [console-lines] [name=PATH]... [bind=PATH]...
    ///
    /// says what authority the SIPs of MODULE hold (Grants, docs/security.md); grants are read
    /// before any boot module starts. A line the kernel does not understand is reported and
    /// skipped; it never stops the boot.
    /// </summary>
    internal static unsafe class SystemManifest
    {
        public const string ModuleName = "system";
        private const ulong MaxSize = 16 * 1024;

        /// <summary>Whether a boot module is a system manifest (text, not an ELF image).</summary>
        public static bool Is(string moduleName, byte* image, ulong size) =>
            moduleName == ModuleName && !(size >= 4 && *(uint*)image == 0x464C457F);

        /// <summary>Applies the kernel's default grants, then every grant line (before any SIP starts).</summary>
        public static void ApplyGrants(byte* text, ulong size)
        {
            Grants.ApplyDefaults();
            if (text == null || size > MaxSize) return;
            ulong i = 0;
            int lineNumber = 0;
            while (i < size)
            {
                string line = NextLine(text, size, ref i, ref lineNumber);
                if (line == null || !line.StartsWith("grant ")) continue;     // reported by StartServices
                string problem = Grants.Apply(line.Substring(6));
                if (problem != null) Warn(lineNumber, problem);
            }
        }

        /// <summary>Starts a supervisor per service line.</summary>
        public static void StartServices(byte* text, ulong size, ulong defaultQuota)
        {
            if (size > MaxSize) { Log.WriteLine("system manifest: larger than 16 KiB; ignored"); return; }
            byte* supervisor = null;
            ulong supervisorSize = 0;
            ulong i = 0;
            int lineNumber = 0;
            while (i < size)
            {
                string line = NextLine(text, size, ref i, ref lineNumber);
                if (line == null) { Warn(lineNumber, "holds a character other than printable ASCII"); continue; }
                if (line.Length == 0 || line.StartsWith("grant ")) continue;
                if (supervisor == null && !BootModules.Find("supervisor", out supervisor, out supervisorSize))
                {
                    Log.WriteLine("system manifest: no 'supervisor' boot module; services not started");
                    return;
                }
                SipQuota grant = SipQuota.Default(defaultQuota);
                string args = SupervisorArguments(line, ref grant, out CpuGrant cpu, out string problem);
                if (args == null) { Warn(lineNumber, problem); continue; }
                Sip sip = SipLoader.Start("supervisor", args, supervisor, supervisorSize, grant, cpu, null, out string error, keepRecord: true);
                if (sip == null) { Warn(lineNumber, "supervisor not started: " + error); continue; }
                ulong whole = Log.BeginLine();
                Log.Write("system manifest: supervisor#"); Log.WriteDecimal((ulong)sip.Id); Log.Write(" runs '"); Log.Write(args); Log.WriteLine("'");
                Log.EndLine(whole);
                if (!grant.Equals(SipQuota.Default(defaultQuota)))
                {
                    whole = Log.BeginLine();
                    Log.Write("system manifest: supervisor#"); Log.WriteDecimal((ulong)sip.Id); Log.Write(" and its service granted heap ");
                    Log.WriteDecimal(grant.HeapBytes / SipQuota.MiB); Log.Write(" MiB, exchange "); Log.WriteDecimal(grant.ExchangeBytes / SipQuota.MiB);
                    Log.Write(" MiB in "); Log.WriteDecimal(grant.ExchangeBlocks); Log.Write(" blocks, kernel memory "); Log.WriteDecimal(grant.KernelBytes / SipQuota.MiB);
                    Log.Write(" MiB, "); Log.WriteDecimal(grant.Threads); Log.WriteLine(" threads");
                    Log.EndLine(whole);
                }
                BootModules.Track(sip);
            }
        }

        // The line at i (i moves past it, lineNumber counts it), cleaned as Clean does.
        private static string NextLine(byte* text, ulong size, ref ulong i, ref int lineNumber)
        {
            ulong start = i;
            while (i < size && text[i] != '\n') i++;
            lineNumber++;
            string line = Clean(text + start, i - start);
            i++;
            return line;
        }

        // The line without its comment and surrounding blanks; null if it is not printable ASCII.
        private static string Clean(byte* p, ulong n)
        {
            ulong end = 0;
            while (end < n && p[end] != '#') end++;
            for (ulong k = 0; k < end; k++) if (p[k] != '\t' && p[k] != '\r' && (p[k] < 0x20 || p[k] > 0x7e)) return null;
            ulong a = 0, b = end;
            while (a < b && (p[a] == ' ' || p[a] == '\t' || p[a] == '\r')) a++;
            while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t' || p[b - 1] == '\r')) b--;
            return string.FromAscii(p + a, (int)(b - a));
        }

        // `service MODULE ARGS... restart=N backoff=MS` -> `max=N backoff=MS -- MODULE ARGS...`.
        private static string SupervisorArguments(string line, ref SipQuota grant, out CpuGrant cpu, out string problem)
        {
            problem = null;
            cpu = CpuGrant.Default;
            if (!line.StartsWith("service ")) { problem = "is not 'service MODULE [ARGUMENTS] [restart=N] [backoff=MS]' or 'grant MODULE RIGHTS...'"; return null; }
            string rest = line.Substring(8);
            string service = "", policy = "";
            int p = 0;
            while (p < rest.Length)
            {
                while (p < rest.Length && (rest[p] == ' ' || rest[p] == '\t')) p++;
                int s = p;
                while (p < rest.Length && rest[p] != ' ' && rest[p] != '\t') p++;
                if (p == s) break;
                string word = rest.Substring(s, p - s);
                if (word.StartsWith("restart=") || word.StartsWith("backoff="))
                {
                    if (!Text.TryParseDecimal(word.Substring(8), out ulong value) || value > 1000000) { problem = "has a bad value in '" + word + "'"; return null; }
                    policy = policy + (word.StartsWith("restart=") ? "max=" : "backoff=") + value.ToString() + " ";
                }
                else if (word.StartsWith("exits="))
                {
                    if (word != "exits=restart" && word != "exits=stop") { problem = "has a bad value in '" + word + "' (exits=restart or exits=stop)"; return null; }
                    policy = policy + word + " ";
                }
                else if (word.StartsWith("cpu=") || word.StartsWith("priority="))
                {
                    if (!TryCpuGrant(word, ref cpu)) { problem = "has a bad value in '" + word + "'"; return null; }
                }
                else if (grant.TrySet(word, out string bad)) { if (bad != null) { problem = bad; return null; } }
                else service = service.Length == 0 ? word : service + " " + word;
            }
            if (service.Length == 0) { problem = "names no module"; return null; }
            return policy + "-- " + service;
        }

        // `cpu=SHARE` (1-1000) or `priority=low|normal|high` into the grant.
        private static bool TryCpuGrant(string word, ref CpuGrant cpu)
        {
            if (word.StartsWith("cpu="))
            {
                if (!Text.TryParseDecimal(word.Substring(4), out ulong share) || share < CpuGrant.MinShare || share > CpuGrant.MaxShare) return false;
                cpu = new CpuGrant((int)share, cpu.MaxPriority);
                return true;
            }
            string p = word.Substring(9);
            ThreadPriority max = p == "low" ? ThreadPriority.Low : p == "normal" ? ThreadPriority.Normal : p == "high" ? ThreadPriority.High : ThreadPriority.Idle;
            if (max == ThreadPriority.Idle) return false;
            cpu = new CpuGrant(cpu.Share, max);
            return true;
        }

        private static void Warn(int line, string problem)
        {
            ulong whole = Log.BeginLine();
            Log.Write("system manifest: line "); Log.WriteDecimal((ulong)line); Log.Write(" "); Log.Write(problem); Log.WriteLine("; skipped");
            Log.EndLine(whole);
        }
    }
}
