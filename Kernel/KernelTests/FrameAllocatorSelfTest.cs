using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Memory;

namespace Singularity.Kernel.Tests
{
    /// <summary>
    /// The frame allocator's first fit (`test=frames`; PhysicalMemory.AllocateContiguous searches
    /// and marks whole bitmap words at a time): runs across word boundaries, a hole one frame too
    /// small is passed over, one that fits exactly is taken, freed frames count again, and the
    /// search from the start finds a hole below the hint.
    /// </summary>
    internal static unsafe class FrameAllocatorSelfTest
    {
        private const ulong Page = PhysicalMemory.PageSize;

        public static void Run()
        {
            ulong before = PhysicalMemory.FreeBytes;
            // A region of 200 frames (three bitmap words and more), given back: the hint is now its start.
            ulong a = PhysicalMemory.AllocateContiguous(200, zero: false);
            if (a == 0) { Fail("no 200 frames"); return; }
            if (PhysicalMemory.FreeBytes != before - 200 * Page) { Fail("200 frames taken did not count"); return; }
            PhysicalMemory.FreeContiguous(a, 200);
            if (PhysicalMemory.FreeBytes != before) { Fail("200 frames freed did not count"); return; }

            ulong b1 = PhysicalMemory.AllocateContiguous(70, zero: false);
            ulong b2 = PhysicalMemory.AllocateContiguous(60, zero: false);
            if (b1 != a || b2 != a + 70 * Page) { Fail("runs of 70 and 60 were not placed first fit from the freed region's start"); return; }
            PhysicalMemory.FreeContiguous(b1, 70);
            // A hole of exactly 70 frames before b2, the hint at its start (a free lowers it): 70 take it...
            ulong d = PhysicalMemory.AllocateContiguous(70, zero: false);
            if (d != a) { Fail("70 frames did not take the hole of exactly 70"); return; }
            PhysicalMemory.FreeContiguous(d, 70);
            // ...71 do not fit in it and land past b2.
            ulong c = PhysicalMemory.AllocateContiguous(71, zero: false);
            if (c == 0 || c < a + 130 * Page) { Fail("71 frames were placed in a hole of 70 or over used frames"); return; }
            d = PhysicalMemory.AllocateContiguous(70, zero: false);
            if (d == 0) { Fail("no 70 frames"); return; }
            // Two frames freed inside d's run lower the hint to them: a run of 2 takes them back.
            PhysicalMemory.FreeContiguous(d + 63 * Page, 2);
            ulong e = PhysicalMemory.AllocateContiguous(2, zero: false);
            if (e != d + 63 * Page) { Fail("two frames freed inside a run were not found again"); return; }
            PhysicalMemory.FreeContiguous(c, 71);
            PhysicalMemory.FreeContiguous(d, 63);
            PhysicalMemory.FreeContiguous(e, 2);
            PhysicalMemory.FreeContiguous(d + 65 * Page, 5);
            PhysicalMemory.FreeContiguous(b2, 60);
            if (PhysicalMemory.FreeBytes != before) { Fail("frames were lost or counted twice"); return; }
        }

        private static void Fail(string what)
        {
            Log.Write("selftest frames: FAILED "); Log.WriteLine(what);
            Platform.Exit(Platform.ExitTestFailed);
        }
    }
}
