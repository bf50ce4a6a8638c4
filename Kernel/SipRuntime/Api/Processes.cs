using System;
using Singularity.Abi;
using Singularity.Runtime;

namespace Singularity
{
    /// <summary>How a SIP ended.</summary>
    /// <safety>An enum of outcomes; any value is harmless.</safety>
    /// <allmembers>A constant.</allmembers>
    public enum SipOutcome { Running, Exited, Failed, Unknown }

    /// <summary>
    /// Starting, watching and stopping other SIPs (for supervisors and the shell). Process control
    /// is authority the system manifest grants (`grant MODULE processes [all]`, docs/security.md):
    /// without it every call here is refused; with it a SIP waits for and kills only the SIPs it
    /// started (with `all`, every SIP).
    /// </summary>
    /// <safety>Memory-safe: names and arguments are copied into stack buffers after their lengths
    /// are checked, ids are looked up by the kernel. Authority: the kernel checks the caller's
    /// grant and that it started the target (or holds `all`) on every call.</safety>
    public static unsafe class Processes
    {
        /// <summary>Starts a new instance of the boot module <paramref name="module"/>; returns its SIP id.</summary>
        /// <safety>TryStart, failure as InvalidOperationException.</safety>
        public static int Start(string module, string arguments)
        {
            if (TryStart(module, arguments, out int id, out string error)) return id;
            throw new InvalidOperationException(error);
        }

        /// <summary>Like Start, but reports failure instead of throwing.</summary>
        /// <safety>A null or empty module, one over 64 characters or arguments over 1024 are refused
        /// before any copy; the copies go into stack buffers of exactly those sizes.</safety>
        /// <unsafe>Two stackalloc buffers (64 and 1024 bytes) filled by Ascii, whose length check precedes the stores; passed with their lengths to SipStart.</unsafe>
        public static bool TryStart(string module, string arguments, out int id, out string error)
        {
            id = 0;
            error = null;
            if (module == null || module.Length == 0 || module.Length > SipLimits.ModuleNameMaxBytes) { error = "bad module name"; return false; }
            arguments ??= "";
            if (arguments.Length > SipLimits.ArgumentsMaxBytes) { error = "arguments too long"; return false; }
            byte* n = stackalloc byte[SipLimits.ModuleNameMaxBytes];
            byte* a = stackalloc byte[SipLimits.ArgumentsMaxBytes];
            int nl = Ascii(module, n, SipLimits.ModuleNameMaxBytes), al = Ascii(arguments, a, SipLimits.ArgumentsMaxBytes);
            int r = KernelCalls.Abi->SipStart(n, nl, a, al);
            if (r == KernelAbi.NotPermitted) { error = "not permitted: the system manifest grants this SIP no process control"; return false; }
            if (r == -2) { error = "no boot module named '" + module + "'"; return false; }
            if (r < 0) { error = "could not start '" + module + "'"; return false; }
            id = r;
            return true;
        }

        /// <summary>Waits for a SIP to end (timeoutMs -1 = forever); Running if it did not end in time; Unknown if there is no such SIP or this SIP may not control it.</summary>
        /// <safety>The kernel looks the id up; it writes the exit code into a local.</safety>
        /// <unsafe>Passes the address of a local int to SipWait.</unsafe>
        public static SipOutcome Wait(int id, int timeoutMs, out int exitCode)
        {
            int code = 0;
            int r = KernelCalls.Abi->SipWait(id, Threading.Sync.TimeoutNs(timeoutMs), &code);
            exitCode = code;
            return r switch { 0 => SipOutcome.Running, 1 => SipOutcome.Exited, 2 => SipOutcome.Failed, _ => SipOutcome.Unknown };
        }

        /// <summary>Fails another SIP. False if it is not running, is this SIP, or is not one this SIP may control.</summary>
        /// <safety>The kernel looks the id up, refuses the caller itself, and refuses a SIP the caller did not start (without the `all` grant).</safety>
        /// <unsafe>An ABI call with an integer.</unsafe>
        public static bool Kill(int id) => KernelCalls.Abi->SipKill(id) == 0;

        /// <unsafe>Writes <c>s.Length</c> bytes to <c>buf</c> after checking <c>s.Length &lt;= max</c>, the buffer's size at every call.</unsafe>
        private static int Ascii(string s, byte* buf, int max)
        {
            if (s.Length > max) throw new ArgumentException("too long");
            for (int i = 0; i < s.Length; i++) buf[i] = s[i] < 128 ? (byte)s[i] : (byte)'?';
            return s.Length;
        }
    }
}
