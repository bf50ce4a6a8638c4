using System.Runtime;
using Singularity.Abi;

namespace Singularity.Runtime
{
    /// <summary>The ABI table the kernel passed at start-up. Only the trusted runtime calls it.</summary>
    /// <unsafe>Abi and Info are the pointers the kernel passed at start-up (Startup checks the table's magic,
    /// version and size before storing them); kernel memory that lives as long as the SIP. Write copies
    /// at most 256 characters at a time into a 256-byte stack buffer; Fail copies at most 512 characters
    /// into a 512-byte buffer and at most 32 return addresses into a 32-entry buffer (Ascii stops at its
    /// max); the kernel gets only these buffers and their lengths.</unsafe>
    internal static unsafe class KernelCalls
    {
        public static KernelAbi* Abi;
        public static SipStartInfo* Info;

        /// <summary>
        /// The table as a native symbol, for test fixtures that must call the kernel directly
        /// (Tests/TestSips/StackEdge). Only unverified code can bind it: the verifier refuses
        /// RuntimeImport in SIP code (SV0105), so verified SIPs still never reach the ABI.
        /// </summary>
        [RuntimeExport("sip_kernel_abi")]
        internal static KernelAbi* TableForFixtures() => Abi;

        public static void Write(string s)
        {
            if (s == null) s = "(null)";
            byte* buf = stackalloc byte[256];
            int i = 0;
            while (i < s.Length)
            {
                int n = 0;
                for (; n < 256 && i < s.Length; n++, i++) { char c = s[i]; buf[n] = c < 128 ? (byte)c : (byte)'?'; }
                Abi->DebugWrite(buf, n);
            }
        }

        /// <summary>Ends this SIP as failed with a reason; <paramref name="rip"/> names where, if known.</summary>
        public static void Fail(string reason, ulong rip)
        {
            byte* buf = stackalloc byte[512];
            int n = Ascii(reason, buf, 512);
            Abi->FailProcess(buf, n, rip);
        }

        /// <summary>Fails with a stack trace (return addresses, throw site first) the kernel logs with method names.</summary>
        public static void Fail(string reason, ulong[] trace)
        {
            byte* buf = stackalloc byte[512];
            int n = Ascii(reason, buf, 512);
            int count = trace == null ? 0 : trace.Length;
            if (count > SipLimits.FailTraceMaxFrames) count = SipLimits.FailTraceMaxFrames;
            ulong* ips = stackalloc ulong[SipLimits.FailTraceMaxFrames];
            for (int i = 0; i < count; i++) ips[i] = trace[i];
            Abi->FailProcessWithTrace(buf, n, ips, count);
        }

        private static int Ascii(string s, byte* buf, int max)
        {
            int n = 0;
            for (; n < s.Length && n < max; n++) { char c = s[n]; buf[n] = c < 128 ? (byte)c : (byte)'?'; }
            return n;
        }
    }
}
