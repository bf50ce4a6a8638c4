using System;
using Singularity.Runtime;

namespace Singularity
{
    /// <summary>How a SIP ended.</summary>
    public enum SipOutcome { Running, Exited, Failed, Unknown }

    /// <summary>Starting, watching and stopping other SIPs (for supervisors and the shell).</summary>
    public static unsafe class Processes
    {
        /// <summary>Starts a new instance of the boot module <paramref name="module"/>; returns its SIP id.</summary>
        public static int Start(string module, string arguments)
        {
            if (TryStart(module, arguments, out int id, out string error)) return id;
            throw new InvalidOperationException(error);
        }

        /// <summary>Like Start, but reports failure instead of throwing.</summary>
        public static bool TryStart(string module, string arguments, out int id, out string error)
        {
            id = 0;
            error = null;
            if (module == null || module.Length == 0 || module.Length > 64) { error = "bad module name"; return false; }
            arguments ??= "";
            if (arguments.Length > 1024) { error = "arguments too long"; return false; }
            byte* n = stackalloc byte[64];
            byte* a = stackalloc byte[1024];
            int nl = Ascii(module, n, 64), al = Ascii(arguments, a, 1024);
            int r = KernelCalls.Abi->SipStart(n, nl, a, al);
            if (r == -2) { error = "no boot module named '" + module + "'"; return false; }
            if (r < 0) { error = "could not start '" + module + "'"; return false; }
            id = r;
            return true;
        }

        /// <summary>Waits for a SIP to end (timeoutMs -1 = forever); Running if it did not end in time.</summary>
        public static SipOutcome Wait(int id, int timeoutMs, out int exitCode)
        {
            int code = 0;
            int r = KernelCalls.Abi->SipWait(id, Threading.Sync.TimeoutNs(timeoutMs), &code);
            exitCode = code;
            return r switch { 0 => SipOutcome.Running, 1 => SipOutcome.Exited, 2 => SipOutcome.Failed, _ => SipOutcome.Unknown };
        }

        /// <summary>Fails another SIP. False if it is not running (or is this SIP).</summary>
        public static bool Kill(int id) => KernelCalls.Abi->SipKill(id) == 0;

        private static int Ascii(string s, byte* buf, int max)
        {
            if (s.Length > max) throw new ArgumentException("too long");
            for (int i = 0; i < s.Length; i++) buf[i] = s[i] < 128 ? (byte)s[i] : (byte)'?';
            return s.Length;
        }
    }
}
