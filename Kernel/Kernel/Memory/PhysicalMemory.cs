using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Arch;

namespace Singularity.Kernel.Memory
{
    /// <summary>
    /// The physical page-frame allocator: one bit per 4 KiB frame (set = in use), built from the
    /// multiboot memory map. Everything is identity-mapped, so a frame's physical address is
    /// also its kernel address.
    /// </summary>
    internal static unsafe class PhysicalMemory
    {
        public const ulong PageSize = Cpu.PageSize;

        private static ulong* s_bitmap;
        private static ulong s_frameCount;      // frames covered by the bitmap
        private static ulong s_freeFrames;
        private static ulong s_usableBytes;     // all usable RAM the firmware reported
        private static ulong s_highestAddress;  // end of the highest usable region
        private static ulong s_searchHint;

        public static ulong UsableBytes => s_usableBytes;
        public static ulong FreeBytes => s_freeFrames * PageSize;
        public static ulong HighestAddress => s_highestAddress;

        public static void Initialize(MultibootInfo mb, KernelLayout* layout)
        {
            if (!mb.HasMemoryMap) Panic.Halt("the boot loader gave no memory map");

            ulong cursor = 0;
            Log.WriteLine("memory map:");
            while (mb.NextMemoryRegion(ref cursor, out ulong b, out ulong len, out uint type))
            {
                Log.Write("  "); Log.WriteHex(b); Log.Write(" - "); Log.WriteHex(b + len);
                Log.Write(" "); Log.WriteLine(MultibootInfo.RegionTypeName(type));
                if (type != 1) continue;
                s_usableBytes += len;
                if (b + len > s_highestAddress) s_highestAddress = b + len;
            }
            if (s_usableBytes == 0) Panic.Halt("the memory map lists no usable memory");

            s_frameCount = s_highestAddress / PageSize;
            ulong bitmapBytes = ((s_frameCount + 63) / 64) * 8;

            // Everything is reserved until proven usable; place the bitmap in the first usable
            // range above the kernel and everything the loader gave us.
            ulong floor = AlignUp(layout->KernelEnd, PageSize);
            floor = Max(floor, AlignUp(LoaderDataEnd(mb), PageSize));
            ulong bitmapAt = 0;
            cursor = 0;
            while (mb.NextMemoryRegion(ref cursor, out ulong b, out ulong len, out uint type))
            {
                if (type != 1) continue;
                ulong start = Max(AlignUp(b, PageSize), floor);
                if (start + bitmapBytes <= b + len) { bitmapAt = start; break; }
            }
            if (bitmapAt == 0) Panic.Halt("no room for the physical memory bitmap");
            s_bitmap = (ulong*)bitmapAt;
            for (ulong i = 0; i < bitmapBytes / 8; i++) s_bitmap[i] = ~0UL;

            cursor = 0;
            while (mb.NextMemoryRegion(ref cursor, out ulong b, out ulong len, out uint type))
                if (type == 1) MarkRange(AlignUp(b, PageSize), AlignDown(b + len, PageSize), false);

            // Take back what is in use: the first MiB (BIOS data, the loader's structures), the
            // kernel image, the multiboot structures and modules, and the bitmap itself.
            MarkRange(0, 0x100000, true);
            MarkRange(AlignDown(layout->KernelStart, PageSize), AlignUp(layout->KernelEnd, PageSize), true);
            MarkRange(AlignDown(mb.Address, PageSize), AlignUp(mb.Address + 4096, PageSize), true);
            MarkRange(AlignDown(mb.MemoryMapAddress, PageSize), AlignUp(mb.MemoryMapAddress + mb.MemoryMapLength, PageSize), true);
            ReserveString(mb.CommandLine);
            if (mb.ModuleCount > 0)
                MarkRange(AlignDown(mb.ModuleTable, PageSize), AlignUp(mb.ModuleTable + 16 * mb.ModuleCount, PageSize), true);
            for (uint i = 0; i < mb.ModuleCount; i++)
            {
                mb.GetModule(i, out ulong start, out ulong end, out byte* name);
                MarkRange(AlignDown(start, PageSize), AlignUp(end, PageSize), true);
                ReserveString(name);
            }
            MarkRange(bitmapAt, AlignUp(bitmapAt + bitmapBytes, PageSize), true);
        }

        /// <summary>One zeroed frame, or 0 when memory is exhausted.</summary>
        public static ulong AllocateFrame() => AllocateContiguous(1);

        /// <summary><paramref name="count"/> physically contiguous zeroed frames, or 0.</summary>
        public static ulong AllocateContiguous(ulong count) => AllocateContiguous(count, zero: true);

        /// <summary>
        /// Contiguous frames, zeroed only if <paramref name="zero"/>: for memory only the kernel
        /// reads, and only where it wrote first (kernel stacks, guard pages).
        /// </summary>
        public static ulong AllocateContiguous(ulong count, bool zero)
        {
            if (count == 0 || count > s_freeFrames) return 0;
            // First fit from the hint, then once more from the start. A word of the bitmap at a
            // time: the next free frame, then the next used one within `count` frames of it.
            for (int pass = 0; pass < 2; pass++)
            {
                ulong f = pass == 0 ? s_searchHint : 0;
                while (true)
                {
                    f = NextFrame(f, used: false, s_frameCount);
                    if (f >= s_frameCount || count > s_frameCount - f) break;
                    ulong end = NextFrame(f, used: true, f + count);
                    if (end == f + count)
                    {
                        SetRange(f, count, used: true);
                        s_freeFrames -= count;
                        s_searchHint = f + count;
                        if (zero) Arch.Cpu.Zero((void*)(f * PageSize), count * PageSize);
                        return f * PageSize;
                    }
                    f = end;
                }
            }
            return 0;
        }

        public static void FreeContiguous(ulong address, ulong count)
        {
            ulong first = address / PageSize;
            if (address % PageSize != 0 || first > s_frameCount || count > s_frameCount - first)
                Panic.Halt("physical memory: free of an invalid frame range");
            if (NextFrame(first, used: false, first + count) != first + count)
                Panic.Halt("physical memory: double free of a frame");
            SetRange(first, count, used: false);
            s_freeFrames += count;
            if (first < s_searchHint) s_searchHint = first;
        }

        // The first frame in [from, limit) that is used (or free, for used = false), or limit;
        // limit is at most s_frameCount. Whole bitmap words at a time.
        private static ulong NextFrame(ulong from, bool used, ulong limit)
        {
            if (from >= limit) return limit;
            ulong flip = used ? 0 : ~0UL;
            ulong i = from / 64, last = (limit - 1) / 64;
            ulong w = (s_bitmap[i] ^ flip) & (~0UL << (int)(from % 64));
            while (w == 0)
            {
                if (++i > last) return limit;
                w = s_bitmap[i] ^ flip;
            }
            ulong f = i * 64 + TrailingZeros(w);
            return f < limit ? f : limit;
        }

        // Marks frames [first, first + count) used or free, a word at a time.
        private static void SetRange(ulong first, ulong count, bool used)
        {
            ulong f = first, end = first + count;
            while (f < end)
            {
                int bit = (int)(f % 64);
                ulong n = 64 - (ulong)bit;
                if (n > end - f) n = end - f;
                ulong mask = (n == 64 ? ~0UL : (1UL << (int)n) - 1) << bit;
                if (used) s_bitmap[f / 64] |= mask;
                else s_bitmap[f / 64] &= ~mask;
                f += n;
            }
        }

        // The index of the lowest set bit of w (not 0).
        private static ulong TrailingZeros(ulong w)
        {
            ulong n = 0;
            if ((w & 0xFFFFFFFFUL) == 0) { n += 32; w >>= 32; }
            if ((w & 0xFFFFUL) == 0) { n += 16; w >>= 16; }
            if ((w & 0xFFUL) == 0) { n += 8; w >>= 8; }
            if ((w & 0xFUL) == 0) { n += 4; w >>= 4; }
            if ((w & 0x3UL) == 0) { n += 2; w >>= 2; }
            if ((w & 0x1UL) == 0) n += 1;
            return n;
        }

        public static void FreeFrame(ulong address) => FreeContiguous(address, 1);

        // The highest address of anything the boot loader placed in memory for us.
        private static ulong LoaderDataEnd(MultibootInfo mb)
        {
            ulong end = Max(mb.Address + 88, mb.MemoryMapAddress + mb.MemoryMapLength);
            end = Max(end, StringEnd(mb.CommandLine));
            end = Max(end, mb.ModuleTable + 16 * mb.ModuleCount);
            for (uint i = 0; i < mb.ModuleCount; i++)
            {
                mb.GetModule(i, out _, out ulong modEnd, out byte* name);
                end = Max(end, Max(modEnd, StringEnd(name)));
            }
            return end;
        }

        private static ulong StringEnd(byte* s)
        {
            if (s == null) return 0;
            ulong n = 0;
            while (s[n] != 0) n++;
            return (ulong)s + n + 1;
        }

        private static void ReserveString(byte* s)
        {
            if (s != null) MarkRange(AlignDown((ulong)s, PageSize), AlignUp(StringEnd(s), PageSize), true);
        }

        private static void MarkRange(ulong start, ulong end, bool used)
        {
            for (ulong a = start; a < end; a += PageSize)
            {
                ulong f = a / PageSize;
                if (f >= s_frameCount || IsUsed(f) == used) continue;
                SetUsed(f, used);
                if (used) s_freeFrames--; else s_freeFrames++;
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static bool IsUsed(ulong f) => (s_bitmap[f / 64] & (1UL << (int)(f % 64))) != 0;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static void SetUsed(ulong f, bool used)
        {
            if (used) s_bitmap[f / 64] |= 1UL << (int)(f % 64);
            else s_bitmap[f / 64] &= ~(1UL << (int)(f % 64));
        }

        public static ulong AlignUp(ulong v, ulong a) => (v + a - 1) & ~(a - 1);
        public static ulong AlignDown(ulong v, ulong a) => v & ~(a - 1);
        private static ulong Max(ulong a, ulong b) => a > b ? a : b;
    }
}
