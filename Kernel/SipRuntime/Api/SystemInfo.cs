using Singularity.Abi;
using Singularity.Runtime;

namespace Singularity
{
    /// <summary>A SIP as the system reports it (for `ps`).</summary>
    /// <safety>A plain object the runtime fills with copies; the caller owns it and may change it freely.</safety>
    /// <allmembers>A plain field of the caller's own object.</allmembers>
    public sealed class SipDescription
    {
        public int Id;
        public string Name;
        public SipOutcome State;
        public int Threads;
        public int ExitCode;
        public ulong HeapBytes, HeapQuota, ExchangeBytes;
    }

    /// <summary>System-wide memory (for `mem`).</summary>
    /// <safety>A plain object the runtime fills with copies; the caller owns it and may change it freely.</safety>
    /// <allmembers>A plain field of the caller's own object.</allmembers>
    public sealed class MemoryDescription
    {
        public ulong UsableBytes, FreeBytes, KernelHeapBytes, SipBytes, ExchangeBytes, ExchangeBlocks;
        public int LiveSips;
    }

    /// <summary>What the kernel reports about SIPs and memory.</summary>
    /// <safety>Figures copied from the kernel. Sips lists only what the caller's process-control
    /// grant reaches (the SIPs it started and itself; every SIP with `all`); without the grant it is
    /// empty. Memory reports system-wide totals only.</safety>
    public static unsafe class SystemInfo
    {
        /// <summary>The SIPs this SIP may control, and itself (empty without the `processes` grant).</summary>
        /// <safety>The kernel fills a 128-entry stack buffer and returns a count, which is clamped to
        /// [0, 128] before any entry is read; names are copied within their 32 bytes.</safety>
        /// <unsafe>A stackalloc buffer of 128 SipInfo; the kernel writes at most the given 128 entries,
        /// and only entries below the clamped count are read; each name is read within SipInfo.NameLength.</unsafe>
        public static SipDescription[] Sips()
        {
            const int Max = 128;
            SipInfo* buf = stackalloc SipInfo[Max];
            int n = KernelCalls.Abi->SipList(buf, Max);
            if (n < 0) n = 0;
            if (n > Max) n = Max;                       // never read past the buffer, whatever the kernel says
            var result = new SipDescription[n];
            for (int i = 0; i < n; i++)
            {
                SipInfo* s = buf + i;
                result[i] = new SipDescription
                {
                    Id = s->Id,
                    Name = string.FromAscii(s->Name, SipInfo.NameLength),
                    State = s->State == 0 ? SipOutcome.Running : s->State == 1 ? SipOutcome.Exited : SipOutcome.Failed,
                    Threads = s->Threads,
                    ExitCode = s->ExitCode,
                    HeapBytes = s->HeapBytes,
                    HeapQuota = s->HeapQuota,
                    ExchangeBytes = s->ExchangeBytes,
                };
            }
            return result;
        }

        /// <safety>The kernel fills a local struct, which is copied into a new object.</safety>
        /// <unsafe>Passes the address of a local MemoryInfo to GetMemoryInfo.</unsafe>
        public static MemoryDescription Memory()
        {
            MemoryInfo m;
            KernelCalls.Abi->GetMemoryInfo(&m);
            return new MemoryDescription
            {
                UsableBytes = m.UsableBytes, FreeBytes = m.FreeBytes, KernelHeapBytes = m.KernelHeapBytes,
                SipBytes = m.SipBytes, ExchangeBytes = m.ExchangeBytes, ExchangeBlocks = m.ExchangeBlocks, LiveSips = m.LiveSips,
            };
        }
    }
}
