using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Processes;
using Singularity.Kernel.Loader;

namespace Singularity.Kernel.Syscalls
{
    /// <summary>
    /// The table of ABI entry points SIPs receive. Each system-call area (ProcessSyscalls,
    /// MemorySyscalls, ThreadSyscalls, ChannelSyscalls, NameSyscalls, ConsoleSyscalls,
    /// SystemInfoSyscalls, one file each) fills its entries; the table then points at stubs
    /// (Arch/x64/entry.asm) that run each on the calling thread's kernel stack, never on the SIP's stack.
    /// </summary>
    internal static unsafe class AbiTable
    {
        private static KernelAbi* s_table;

        public static KernelAbi* Table => s_table;

        public static void Initialize()
        {
            s_table = (KernelAbi*)Memory.KernelHeap.Allocate((ulong)sizeof(KernelAbi));
            KernelAbi* t = s_table;
            t->Magic = KernelAbi.MagicValue;
            t->Version = KernelAbi.CurrentVersion;
            t->FunctionCount = KernelAbi.Count;
            // Each system-call area fills its entries (one file per area in this folder).
            ProcessSyscalls.Register(t);
            MemorySyscalls.Register(t);
            ThreadSyscalls.Register(t);
            ChannelSyscalls.Register(t);
            NameSyscalls.Register(t);
            ConsoleSyscalls.Register(t);
            SystemInfoSyscalls.Register(t);
            DeviceSyscalls.Register(t);
            InterruptSyscalls.Register(t);
            // Every entry goes through its stub: the table's function pointers follow the header.
            if (!KernelEntry.WrapAbiEntries((ulong*)&t->DebugWrite, KernelAbi.Count))
                Panic.Halt("the ABI table has more entries than entry.asm has stubs");
            SipLoader.SetAbiTable(t);
        }

        /// <summary>The SIP of the thread making the call.</summary>
        internal static Sip Caller => Sip.Of(Scheduler.Current);
    }
}
