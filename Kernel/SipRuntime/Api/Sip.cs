using Singularity.Runtime;

namespace Singularity
{
    /// <summary>This SIP: its identity, arguments, memory, and how it ends.</summary>
    /// <safety>Reads the start-up record the kernel wrote for this SIP, and asks the kernel about
    /// this SIP only.</safety>
    /// <unsafe>Reads KernelCalls.Info, the SipStartInfo the kernel passed at start-up (kernel memory
    /// that lives as long as the SIP); its Name and Arguments are NUL-terminated within 256 and
    /// 4096 bytes (the kernel writes them so), the bounds FromAscii is given. ABI calls take
    /// no pointers.</unsafe>
    public static unsafe class Sip
    {
        /// <safety>The kernel's id for this SIP.</safety>
        public static int Id => KernelCalls.Info->SipId;

        /// <safety>A copy of the kernel's NUL-terminated name, at most 256 characters.</safety>
        public static string Name => string.FromAscii(KernelCalls.Info->Name, 256);

        /// <summary>The module's command line after its name (boot modules), or "".</summary>
        /// <safety>A copy of the kernel's NUL-terminated arguments, at most 4096 characters.</safety>
        public static string Arguments => string.FromAscii(KernelCalls.Info->Arguments, 4096);

        /// <summary>Bytes of memory this SIP holds from the kernel (its heap), counted against its quota.</summary>
        /// <safety>The kernel's count for this SIP.</safety>
        public static ulong HeapBytes => KernelCalls.Abi->HeapBytes();

        /// <safety>The quota the kernel wrote at start-up.</safety>
        public static ulong HeapQuota => KernelCalls.Info->HeapQuota;

        /// <summary>Number of garbage collections this SIP has run.</summary>
        /// <safety>A counter of this SIP's collector.</safety>
        public static ulong Collections => GcHeap.Collections;

        /// <summary>Runs a garbage collection of this SIP's heap now.</summary>
        /// <safety>Collects this SIP's heap only, under the heap lock (so no allocation of another thread
        /// is halfway through the free lists); a collection already running in this SIP makes it return.</safety>
        public static void Collect() => GcHeap.CollectNow();

        /// <summary>Ends this SIP with an exit code. Does not return.</summary>
        /// <safety>Ends this SIP only; any code is accepted.</safety>
        public static void Exit(int code) => KernelCalls.Abi->ExitProcess(code);
    }

    /// <summary>Writes to the kernel log (the serial console) until the console service exists.</summary>
    /// <safety>Writes to the kernel log through the runtime's chunked copy.</safety>
    public static class Debug
    {
        /// <safety>The text (null writes "(null)") is copied as ASCII into a 256-byte stack buffer, piece by piece; the kernel gets the buffer and a length of at most 256.</safety>
        public static void Write(string text) => KernelCalls.Write(text);

        /// <summary>Writes the text and a newline in one piece (other SIPs' output does not split a short line).</summary>
        /// <safety>Concatenates (checked lengths) and writes as Write does.</safety>
        public static void WriteLine(string text) => KernelCalls.Write((text ?? "(null)") + "\n");
    }

    /// <summary>The monotonic clock.</summary>
    /// <safety>Reads time: no arguments, no memory.</safety>
    /// <unsafe>rdtsc (sip_rdtsc in asm/sip_start.asm) and an ABI call without arguments.</unsafe>
    public static unsafe class Clock
    {
        /// <summary>
        /// The CPU's cycle counter, for measuring short intervals. Under QEMU with
        /// `-icount shift=0` it counts executed instructions.
        /// </summary>
        /// <safety>The cycle counter.</safety>
        public static ulong ReadCycles() => ReadTsc();

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.InternalCall)]
        [System.Runtime.RuntimeImport("*", "sip_rdtsc")]
        private static extern ulong ReadTsc();

        /// <summary>Nanoseconds since boot; never goes backwards.</summary>
        /// <safety>The kernel's monotonic clock.</safety>
        public static ulong NowNs => KernelCalls.Abi->MonotonicNs();

        /// <safety>NowNs in milliseconds.</safety>
        public static ulong NowMs => NowNs / 1000000;
    }
}
