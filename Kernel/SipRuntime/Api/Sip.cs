using Singularity.Runtime;

namespace Singularity
{
    /// <summary>This SIP: its identity, arguments, memory, and how it ends.</summary>
    public static unsafe class Sip
    {
        public static int Id => KernelCalls.Info->SipId;

        public static string Name => string.FromAscii(KernelCalls.Info->Name, 256);

        /// <summary>The module's command line after its name (boot modules), or "".</summary>
        public static string Arguments => string.FromAscii(KernelCalls.Info->Arguments, 4096);

        /// <summary>Bytes of memory this SIP holds from the kernel (its heap), counted against its quota.</summary>
        public static ulong HeapBytes => KernelCalls.Abi->HeapBytes();

        public static ulong HeapQuota => KernelCalls.Info->HeapQuota;

        /// <summary>Number of garbage collections this SIP has run.</summary>
        public static ulong Collections => GcHeap.Collections;

        /// <summary>Runs a garbage collection of this SIP's heap now.</summary>
        public static void Collect() => GcHeap.Collect();

        /// <summary>Ends this SIP with an exit code. Does not return.</summary>
        public static void Exit(int code) => KernelCalls.Abi->ExitProcess(code);
    }

    /// <summary>Writes to the kernel log (the serial console) until the console service exists.</summary>
    public static class Debug
    {
        public static void Write(string text) => KernelCalls.Write(text);

        /// <summary>Writes the text and a newline in one piece (other SIPs' output does not split a short line).</summary>
        public static void WriteLine(string text) => KernelCalls.Write((text ?? "(null)") + "\n");
    }

    /// <summary>The monotonic clock.</summary>
    public static unsafe class Clock
    {
        /// <summary>
        /// The CPU's cycle counter, for measuring short intervals. Under QEMU with
        /// `-icount shift=0` it counts executed instructions.
        /// </summary>
        public static ulong ReadCycles() => ReadTsc();

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.InternalCall)]
        [System.Runtime.RuntimeImport("*", "sip_rdtsc")]
        private static extern ulong ReadTsc();

        /// <summary>Nanoseconds since boot; never goes backwards.</summary>
        public static ulong NowNs => KernelCalls.Abi->MonotonicNs();

        public static ulong NowMs => NowNs / 1000000;
    }
}
