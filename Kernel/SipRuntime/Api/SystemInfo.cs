using Singularity.Abi;
using Singularity.Runtime;

namespace Singularity
{
    /// <summary>A SIP as the system reports it (for `ps`).</summary>
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
    public sealed class MemoryDescription
    {
        public ulong UsableBytes, FreeBytes, KernelHeapBytes, SipBytes, ExchangeBytes, ExchangeBlocks;
        public int LiveSips;
    }

    /// <summary>What the kernel reports about SIPs and memory.</summary>
    public static unsafe class SystemInfo
    {
        public static SipDescription[] Sips()
        {
            const int Max = 128;
            SipInfo* buf = stackalloc SipInfo[Max];
            int n = KernelCalls.Abi->SipList(buf, Max);
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
