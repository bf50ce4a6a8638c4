using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;

namespace Singularity.Kernel.Memory
{
    /// <summary>
    /// The kernel's page tables: one identity map of physical memory (2 MiB pages), with page 0
    /// unmapped so null dereferences fault, and 4 KiB guard pages carved out below stacks.
    /// Every SIP shares this single address space. A page may also be unmapped "to be zeroed":
    /// its first access, from any code, finds it mapped again and zeroed (<see cref="TryMapZeroedOnAccess"/>,
    /// called from the page-fault path); SIP stacks are zeroed so, as far as they are used.
    /// </summary>
    internal static unsafe class Paging
    {
        private const ulong Present = 1, Writable = 2, LargePage = 0x80;
        // A software bit of a non-present entry (the CPU ignores every bit but Present then):
        // the page is to be zeroed and mapped on its first access. A guard page never has it.
        private const ulong ZeroOnAccess = 1UL << 9;
        private const ulong AddressMask = 0x000FFFFFFFFFF000;
        private const ulong TwoMiB = 0x200000;
        private static ulong* s_pml4;

        public static void Initialize()
        {
            // Map at least 4 GiB so device memory (APIC, PCI BARs) below 4 GiB is reachable.
            ulong top = PhysicalMemory.HighestAddress;
            if (top < 0x100000000UL) top = 0x100000000UL;
            top = PhysicalMemory.AlignUp(top, 0x40000000UL);

            s_pml4 = NewTable();
            for (ulong a = 0; a < top; a += TwoMiB)
            {
                ulong* pd = Walk(a, create: true);
                pd[(a >> 21) & 511] = a | Present | Writable | LargePage;
            }
            Cpu.WriteCr3((ulong)s_pml4);
            Unmap(0);
        }

        /// <summary>Makes the 4 KiB page at <paramref name="address"/> fault on any access.</summary>
        public static void Unmap(ulong address)
        {
            ulong* pt = SplitToPageTable(address);
            pt[(address >> 12) & 511] = 0;
            Cpu.InvalidatePage(address);
        }

        /// <summary>
        /// Unmaps the <paramref name="count"/> 4 KiB pages from <paramref name="address"/> so that
        /// each is zeroed and mapped again on its first access (<see cref="TryMapZeroedOnAccess"/>).
        /// Each page's translation is flushed: a stale one would show its old contents. Undone by
        /// <see cref="Remap"/> (before the frames are given to anyone else).
        /// </summary>
        public static void UnmapZeroOnAccess(ulong address, ulong count)
        {
            ulong* pt = null;
            for (ulong i = 0; i < count; i++)
            {
                ulong a = address + i * 4096;
                if (pt == null || ((a >> 12) & 511) == 0) pt = SplitToPageTable(a);     // one walk per 2 MiB
                pt[(a >> 12) & 511] = (a & AddressMask) | ZeroOnAccess;
                Cpu.InvalidatePage(a);
            }
        }

        /// <summary>Maps the <paramref name="count"/> 4 KiB pages from <paramref name="address"/> to themselves again.</summary>
        public static void Remap(ulong address, ulong count)
        {
            ulong* pt = null;
            for (ulong i = 0; i < count; i++)
            {
                ulong a = address + i * 4096;
                if (pt == null || ((a >> 12) & 511) == 0) pt = SplitToPageTable(a);
                pt[(a >> 12) & 511] = (a & AddressMask) | Present | Writable;
                Cpu.InvalidatePage(a);
            }
        }

        /// <summary>
        /// The page-fault path's first question: when <paramref name="address"/> lies in a page
        /// unmapped by <see cref="UnmapZeroOnAccess"/>, maps it, zeroes it and returns true (the
        /// faulting access is then retried). Interrupts are off (an interrupt gate), so nothing
        /// sees the page between its mapping and its zeroing.
        /// </summary>
        public static bool TryMapZeroedOnAccess(ulong address)
        {
            ulong* pd = Walk(address, create: false);
            if (pd == null) return false;
            ulong pde = pd[(address >> 21) & 511];
            if ((pde & Present) == 0 || (pde & LargePage) != 0) return false;
            ulong* pt = (ulong*)(pde & AddressMask);
            ulong index = (address >> 12) & 511;
            ulong pte = pt[index];
            if ((pte & Present) != 0 || (pte & ZeroOnAccess) == 0) return false;
            ulong page = address & AddressMask;
            pt[index] = page | Present | Writable;
            Cpu.InvalidatePage(page);
            Cpu.Zero((void*)page, 4096);
            return true;
        }

        /// <summary>Maps the 4 KiB page at <paramref name="address"/> to itself again.</summary>
        public static void Remap(ulong address)
        {
            ulong* pt = SplitToPageTable(address);
            pt[(address >> 12) & 511] = (address & AddressMask) | Present | Writable;
            Cpu.InvalidatePage(address);
        }

        public static bool IsMapped(ulong address)
        {
            ulong* pd = Walk(address, create: false);
            if (pd == null) return false;
            ulong pde = pd[(address >> 21) & 511];
            if ((pde & Present) == 0) return false;
            if ((pde & LargePage) != 0) return true;
            ulong* pt = (ulong*)(pde & AddressMask);
            return (pt[(address >> 12) & 511] & Present) != 0;
        }

        // Replaces the 2 MiB page covering address with a table of 512 4 KiB pages mapping the same memory.
        private static ulong* SplitToPageTable(ulong address)
        {
            ulong* pd = Walk(address, create: false);
            if (pd == null) Panic.Halt("paging: address outside the kernel's map");
            ulong index = (address >> 21) & 511;
            ulong pde = pd[index];
            if ((pde & Present) != 0 && (pde & LargePage) == 0) return (ulong*)(pde & AddressMask);
            ulong* pt = NewTable();
            ulong baseAddr = address & ~(TwoMiB - 1);
            for (ulong i = 0; i < 512; i++) pt[i] = (baseAddr + i * 4096) | Present | Writable;
            pd[index] = (ulong)pt | Present | Writable;
            for (ulong i = 0; i < 512; i++) Cpu.InvalidatePage(baseAddr + i * 4096);
            return pt;
        }

        // The page directory covering address.
        private static ulong* Walk(ulong address, bool create)
        {
            if (s_pml4 == null) return null;
            ulong* pdpt = Next(s_pml4, (address >> 39) & 511, create);
            if (pdpt == null) return null;
            return Next(pdpt, (address >> 30) & 511, create);
        }

        private static ulong* Next(ulong* table, ulong index, bool create)
        {
            if ((table[index] & Present) == 0)
            {
                if (!create) return null;
                table[index] = (ulong)NewTable() | Present | Writable;
            }
            return (ulong*)(table[index] & AddressMask);
        }

        private static ulong* NewTable()
        {
            ulong frame = PhysicalMemory.AllocateFrame();
            if (frame == 0) Panic.Halt("paging: out of memory for page tables");
            return (ulong*)frame;
        }
    }
}
