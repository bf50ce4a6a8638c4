using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.Syscalls
{
    /// <summary>System calls: Pages of the SIP's own heap, its collections (stack ranges for the collector), and exchange-heap blocks.</summary>
    internal static unsafe class MemorySyscalls
    {
        public static void Register(KernelAbi* t)
        {
            t->AllocatePages = &AbiAllocatePages;
            t->FreePages = &AbiFreePages;
            t->HeapBytes = &AbiHeapBytes;
            t->BeginCollection = &AbiBeginCollection;
            t->EndCollection = &AbiEndCollection;
            t->GetStackRanges = &AbiGetStackRanges;
            t->ExAllocate = &AbiExAllocate;
            t->ExFree = &AbiExFree;
            t->ExAccess = &AbiExAccess;
            t->ExchangeBytes = &AbiExchangeBytes;
            t->ExchangeHeaders = &AbiExchangeHeaders;
        }

        // The same for every SIP: headers hold no data, only keys, lengths and addresses that the
        // runtime uses after checking the key names its own SIP.
        private static ExchangeHeader** AbiExchangeHeaders() => Ipc.ExchangeHeap.HeaderDirectory;

        private static ulong AbiAllocatePages(ulong pages) => AbiTable.Caller.AllocatePages(pages);

        private static int AbiFreePages(ulong address, ulong pages) => AbiTable.Caller.FreePages(address, pages) ? 1 : 0;

        private static ulong AbiHeapBytes() => AbiTable.Caller.HeapBytes;

        private static void AbiBeginCollection() => AbiTable.Caller.BeginCollection(Scheduler.Current);

        private static void AbiEndCollection() => AbiTable.Caller.EndCollection();

        /// <summary>
        /// The calling SIP's stacks, for its collector: fills up to <paramref name="max"/> (low, high)
        /// pairs and returns how many ranges there are in all (more than max means the list is
        /// partial and must not be used). First the caller's SIP stack from its stack pointer at this
        /// call; then for each other live thread that has run SIP code, the used part of its SIP stack
        /// (from its stack pointer when it entered the kernel) and the part of its kernel stack above
        /// its saved stack pointer, which holds its registers (the interrupt frame, or what the kernel
        /// code it called saved of them). Threads that never ran SIP code hold no SIP references.
        /// </summary>
        private static int AbiGetStackRanges(ulong* pairs, int max)
        {
            Thread me = Scheduler.Current;
            if (max < 0) max = 0;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();        // the list changes as threads end and are forgotten
            int n = 0;
            AddRange(pairs, max, ref n, SipStackPointer(me), me.SipStackTop);
            for (Thread t = Sip.Of(me).Threads; t != null; t = t.NextInSip)
            {
                if (t == me || t.State == ThreadState.Dead || t.AbiSlot == 0) continue;
                AddRange(pairs, max, ref n, SipStackPointer(t), t.SipStackTop);
                ulong saved = t.SavedRsp, top = t.AbiSlot + 16;
                if (saved < t.KernelStackBase || saved > top) saved = t.KernelStackBase;
                AddRange(pairs, max, ref n, saved, top);
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return n;
        }

        // The SIP's stack pointer when the thread entered the kernel, kept in its ABI slot
        // (entry.asm); the whole stack if that word is not on the stack (it always should be).
        private static ulong SipStackPointer(Thread t)
        {
            ulong rsp = *(ulong*)t.AbiSlot;
            return rsp >= t.SipStackBase && rsp <= t.SipStackTop ? rsp : t.SipStackBase;
        }

        private static void AddRange(ulong* pairs, int max, ref int n, ulong low, ulong high)
        {
            if (n < max)
            {
                pairs[n * 2] = low;
                pairs[n * 2 + 1] = high;
            }
            n++;
        }

        private static ulong AbiExAllocate(ulong length) => Ipc.ExchangeHeap.Allocate(AbiTable.Caller, length);

        private static int AbiExFree(ulong handle) => Ipc.ExchangeHeap.Free(handle, AbiTable.Caller.Id, AbiTable.Caller) ? 0 : -1;

        // The block's address and length if the caller owns it. Only the runtime's exchange guard
        // calls this, and it keeps the SIP from freeing or sending the block while the address is in use.
        private static ulong AbiExAccess(ulong handle, ulong* length) => (ulong)Ipc.ExchangeHeap.Access(AbiTable.Caller.Id, handle, out *length);

        private static ulong AbiExchangeBytes() => AbiTable.Caller.ExchangeBytes;
    }
}
