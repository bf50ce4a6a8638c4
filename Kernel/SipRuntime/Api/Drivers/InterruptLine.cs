using Singularity.Runtime;

namespace Singularity.Drivers
{
    /// <summary>
    /// An interrupt line the kernel granted this driver SIP (docs/drivers.md, "Interrupts"): a PCI
    /// driver's device line, a legacy driver's [Irq] lines in manifest order. <see cref="Wait"/>
    /// blocks the calling thread until the device interrupts; the kernel has then masked the line,
    /// and it stays masked until the driver has serviced the device and calls
    /// <see cref="Acknowledge"/>. An interrupt that comes while no thread waits is remembered (one,
    /// however many came). Only a SIP whose manifest declares a [Device] may use this type (SV0403).
    /// </summary>
    /// <safety>Holds an index into the caller's own grant, which the kernel resolves against the
    /// calling thread's SIP on every call; an index the grant does not hold fails the caller, and no
    /// index reaches another driver's line.</safety>
    public sealed unsafe class InterruptLine
    {
        private readonly int _index;

        /// <summary>The interrupt line (IRQ number).</summary>
        /// <safety>A copy of the kernel's grant, read-only.</safety>
        public int Line { get; }

        private InterruptLine(int index, int line) { _index = index; Line = line; }

        /// <summary>The caller's <paramref name="index"/>th interrupt line, or null when it holds none.</summary>
        /// <safety>Asks the kernel for the caller's own grant; any index is checked there.</safety>
        /// <unsafe>Passes a local pair of ulongs for the kernel to fill.</unsafe>
        public static InterruptLine Granted(int index)
        {
            ulong* info = stackalloc ulong[2];
            if (KernelCalls.Abi->IoRange(2, index, info) != 0) return null;
            return new InterruptLine(index, (int)info[0]);
        }

        /// <summary>
        /// Waits until the device interrupts, at most <paramref name="timeoutMs"/> ms (negative: for
        /// ever). True when an interrupt came; false on timeout, or when another thread of this driver
        /// already waits on the line. After true, service the device, then <see cref="Acknowledge"/>.
        /// </summary>
        /// <safety>The kernel checks the index against the caller's grant; the wait blocks only the calling thread.</safety>
        /// <unsafe>A call through the ABI table with plain values.</unsafe>
        public bool Wait(int timeoutMs)
        {
            ulong ns = timeoutMs < 0 ? 0 : timeoutMs == 0 ? 1 : (ulong)timeoutMs * 1000000UL;
            return KernelCalls.Abi->InterruptWait(_index, ns) == 1;
        }

        /// <summary>The device has been serviced: the kernel unmasks the line for its next interrupt.</summary>
        /// <safety>The kernel checks the index against the caller's grant; it unmasks only the caller's own line.</safety>
        /// <unsafe>A call through the ABI table with a plain value.</unsafe>
        public void Acknowledge() => KernelCalls.Abi->InterruptAck(_index);
    }
}
