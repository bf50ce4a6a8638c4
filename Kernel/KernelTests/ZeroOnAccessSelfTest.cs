using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Memory;

namespace Singularity.Kernel.Tests
{
    /// <summary>
    /// Pages left to be zeroed on access (`test=zeroonaccess`; what SIP stacks below their top use,
    /// Paging.UnmapZeroOnAccess): frames holding old data are unmapped so; each reads as zeros on
    /// its first access (a page fault resolved in place), a write to one lands and leaves the rest
    /// of its page zero, untouched pages stay unmapped, and Remap makes them plain memory again.
    /// </summary>
    internal static unsafe class ZeroOnAccessSelfTest
    {
        private const ulong Pages = 6;

        public static void Run()
        {
            ulong mem = PhysicalMemory.AllocateContiguous(Pages, zero: false);
            if (mem == 0) { Fail("no frames"); return; }
            ulong* words = (ulong*)mem;
            ulong count = Pages * PhysicalMemory.PageSize / 8;
            for (ulong i = 0; i < count; i++) words[i] = 0xA5A5A5A5A5A5A5A5UL;   // a previous owner's data

            Paging.UnmapZeroOnAccess(mem, Pages);
            for (ulong p = 0; p < Pages; p++)
                if (Paging.IsMapped(mem + p * PhysicalMemory.PageSize)) { Fail("a page is still mapped after UnmapZeroOnAccess"); return; }

            // A read of page 1 faults, is resolved, and sees zeros in the whole page.
            ulong* page1 = (ulong*)(mem + PhysicalMemory.PageSize);
            if (page1[17] != 0) { Fail("the first read of a page saw old data"); return; }
            if (!Paging.IsMapped((ulong)page1)) { Fail("a read page is not mapped afterwards"); return; }
            for (ulong i = 0; i < PhysicalMemory.PageSize / 8; i++)
                if (page1[i] != 0) { Fail("a read page is not zero throughout"); return; }

            // A write to page 3 lands; the rest of that page is zero.
            ulong* page3 = (ulong*)(mem + 3 * PhysicalMemory.PageSize);
            page3[100] = 0x1234;
            for (ulong i = 0; i < PhysicalMemory.PageSize / 8; i++)
                if (page3[i] != (i == 100 ? 0x1234UL : 0UL)) { Fail("a written page holds more than the write"); return; }

            // Untouched pages stay unmapped (zeroing only what is used).
            if (Paging.IsMapped(mem) || Paging.IsMapped(mem + 2 * PhysicalMemory.PageSize) || Paging.IsMapped(mem + 5 * PhysicalMemory.PageSize))
            { Fail("an untouched page was mapped"); return; }

            // Remap: every page is plain memory again (the frames may go to anyone next).
            Paging.Remap(mem, Pages);
            for (ulong p = 0; p < Pages; p++)
                if (!Paging.IsMapped(mem + p * PhysicalMemory.PageSize)) { Fail("a page is not mapped after Remap"); return; }
            if (words[0] != 0xA5A5A5A5A5A5A5A5UL) { Fail("Remap changed an untouched page's contents"); return; }
            PhysicalMemory.FreeContiguous(mem, Pages);
        }

        private static void Fail(string what)
        {
            Log.Write("selftest zeroonaccess: FAILED "); Log.WriteLine(what);
            Platform.Exit(Platform.ExitTestFailed);
        }
    }
}
