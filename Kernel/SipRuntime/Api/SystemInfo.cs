using System;
using Singularity.Abi;
using Singularity.Ipc;
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
        /// <safety>A request on this SIP's process-manager endpoint (Processes.List) lending a block of
        /// 128 records; the count the kernel returns is clamped to [0, 128] and every record is read
        /// through the block's checked element access; names are copied within their 32 bytes. The
        /// block is freed whatever happens; at this SIP's exchange grant the list is empty.</safety>
        /// <unsafe>Reads each record's fixed 32-byte name through a pointer to a local copy, within SipInfo.NameLength.</unsafe>
        public static SipDescription[] Sips()
        {
            const int Max = 128;
            ExBlock block;
            try { block = ExBlock.Allocate(Max * sizeof(SipInfo)); }
            catch (OutOfMemoryException) { return new SipDescription[0]; }     // at its exchange grant: nothing to list into
            int n = Processes.List(block, out ExBlock filled, out bool sent);
            if (filled.IsNull)
            {
                if (!sent) block.Free();
                return new SipDescription[0];
            }
            if (n < 0) n = 0;
            if (n > Max) n = Max;                       // never read past the buffer, whatever the reply says
            var result = new SipDescription[n];
            try
            {
                for (int i = 0; i < n; i++)
                {
                    SipInfo s = filled.ReadElement<SipInfo>(i);
                    result[i] = new SipDescription
                    {
                        Id = s.Id,
                        Name = string.FromAscii(s.Name, SipInfo.NameLength),
                        State = s.State == 0 ? SipOutcome.Running : s.State == 1 ? SipOutcome.Exited : SipOutcome.Failed,
                        Threads = s.Threads,
                        ExitCode = s.ExitCode,
                        HeapBytes = s.HeapBytes,
                        HeapQuota = s.HeapQuota,
                        ExchangeBytes = s.ExchangeBytes,
                    };
                }
            }
            finally { filled.Free(); }
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
