using Singularity.Abi;

namespace Singularity.Runtime
{
    /// <summary>The ABI table the kernel passed at start-up. Only the trusted runtime calls it.</summary>
    internal static unsafe class KernelCalls
    {
        public static KernelAbi* Abi;
        public static SipStartInfo* Info;

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
            int n = 0;
            for (; n < reason.Length && n < 512; n++) { char c = reason[n]; buf[n] = c < 128 ? (byte)c : (byte)'?'; }
            Abi->FailProcess(buf, n, rip);
        }
    }
}
