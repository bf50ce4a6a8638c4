using Singularity.Kernel.Memory;
using Singularity.Kernel.Diagnostics;

namespace Singularity.Kernel.Processes
{
    /// <summary>
    /// A SIP's grant: the most it may hold, together with every SIP it starts (docs/accounting.md).
    /// The system grants it (kernel defaults, `sipquota=`, a `service` line of the system manifest);
    /// a SIP started by another gets its parent's grant at most, and its own manifest may only ask
    /// for less (`HeapQuotaMiB`), never more.
    /// </summary>
    internal struct SipQuota
    {
        /// <summary>Pages of its garbage-collected heap.</summary>
        public ulong HeapBytes;
        /// <summary>Exchange blocks it owns or has sent and nobody received yet, by what they take in kernel memory.</summary>
        public ulong ExchangeBytes;
        /// <summary>Exchange blocks (table slots) it owns or has sent and nobody received yet.</summary>
        public ulong ExchangeBlocks;
        /// <summary>Kernel memory on its behalf: image, stacks, and the records of it, its threads, channels, events, mutexes and names.</summary>
        public ulong KernelBytes;
        /// <summary>Live threads of this SIP alone (its collector can scan at most SipLimits.MaxThreads).</summary>
        public ulong Threads;

        public const ulong MiB = 1024 * 1024;
        public const ulong DefaultExchangeBytes = 16 * MiB;
        public const ulong DefaultExchangeBlocks = 4096;
        public const ulong DefaultKernelBytes = 8 * MiB;
        /// <summary>Threads a SIP may run unless granted more (`threads=N`, up to SipLimits.MaxThreads).</summary>
        public const ulong DefaultThreads = 64;

        /// <summary>What the kernel grants a SIP it starts itself (boot modules, the debug console) unless told otherwise.</summary>
        public static SipQuota Default(ulong heapBytes) => new SipQuota
        {
            HeapBytes = heapBytes,
            ExchangeBytes = DefaultExchangeBytes,
            ExchangeBlocks = DefaultExchangeBlocks,
            KernelBytes = DefaultKernelBytes,
            Threads = DefaultThreads,
        };

        /// <summary>
        /// The grant a SIP gets whose manifest asks for <paramref name="heapAsk"/> heap bytes (0: no
        /// wish): what it asks if that is less, else this grant.
        /// </summary>
        public SipQuota AskedFor(ulong heapAsk)
        {
            SipQuota q = this;
            if (heapAsk != 0 && heapAsk < q.HeapBytes) q.HeapBytes = heapAsk;
            return q;
        }

        public bool Equals(SipQuota o) =>
            HeapBytes == o.HeapBytes && ExchangeBytes == o.ExchangeBytes && ExchangeBlocks == o.ExchangeBlocks
            && KernelBytes == o.KernelBytes && Threads == o.Threads;

        /// <summary>
        /// Applies one `key=value` word of a grant (heap=MiB, exchange=MiB, blocks=N, kernel=MiB,
        /// threads=N). False if the word is not a grant; <paramref name="problem"/> set if it is one
        /// with a bad value.
        /// </summary>
        public bool TrySet(string word, out string problem)
        {
            problem = null;
            int eq = word.IndexOf('=');
            if (eq <= 0) return false;
            string key = word.Substring(0, eq);
            bool known = key == "heap" || key == "exchange" || key == "blocks" || key == "kernel" || key == "threads";
            if (!known) { Allocator.Free(key); return false; }
            string text = word.Substring(eq + 1);
            bool parsed = Text.TryParseDecimal(text, out ulong value);
            Allocator.Free(text);
            ulong max = key == "threads" ? (ulong)Abi.SipLimits.MaxThreads : key == "blocks" ? 1UL << 20 : 1UL << 20;
            if (!parsed || value == 0 || value > max)
            {
                problem = "has a bad value in '" + word + "' (" + key + " must be 1 to " + max.ToString() + ")";
                Allocator.Free(key);
                return true;
            }
            if (key == "heap") HeapBytes = value * MiB;
            else if (key == "exchange") ExchangeBytes = value * MiB;
            else if (key == "blocks") ExchangeBlocks = value;
            else if (key == "kernel") KernelBytes = value * MiB;
            else Threads = value;
            Allocator.Free(key);
            return true;
        }
    }
}
