using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;

namespace Singularity.Kernel.Memory
{
    /// <summary>
    /// The kernel heap: segregated free lists for small blocks (16 B to 2 KiB, one size class per
    /// page, so a block's class is found from its page), and whole frames for larger blocks.
    /// Memory comes from and returns to <see cref="PhysicalMemory"/>. All blocks are zeroed.
    /// </summary>
    internal static unsafe class KernelHeap
    {
        private const int ClassCount = 8;               // 16, 32, ..., 2048 bytes
        private const int MinShift = 4;
        private const uint MaxSmall = 2048;
        private const byte ClassNone = 0, ClassLarge = 0xFE;
        private const ulong LargeHeaderSize = 16;       // { ulong pages; ulong magic }
        private const ulong LargeMagic = 0x4c41524745424c4b;
        private const ulong FreedMagic = 0xfeedfacedeadbeef;

        private static void** s_freeLists;              // one head per class
        private static byte* s_pageClass;               // per physical frame: ClassNone, 1 + class, or ClassLarge
        private static ulong s_pageClassCount;
        private static ulong s_bytesInUse;
        private static ulong s_blocksInUse;
        private static ulong s_framesHeld;
        private static ulong s_largeFrames;

        public static ulong BytesInUse => s_bytesInUse;
        public static ulong BlocksInUse => s_blocksInUse;
        public static ulong FramesHeld => s_framesHeld;
        /// <summary>Frames held by large blocks; they go back to the frame allocator when freed.</summary>
        public static ulong LargeFrames => s_largeFrames;

        public static void Initialize()
        {
            s_pageClassCount = PhysicalMemory.HighestAddress / PhysicalMemory.PageSize;
            ulong bytes = PhysicalMemory.AlignUp(s_pageClassCount + ClassCount * 8, PhysicalMemory.PageSize);
            ulong mem = PhysicalMemory.AllocateContiguous(bytes / PhysicalMemory.PageSize);
            if (mem == 0) Panic.Halt("kernel heap: no memory for its page table");
            s_freeLists = (void**)mem;
            s_pageClass = (byte*)mem + ClassCount * 8;
        }

        /// <summary>A zeroed block of at least <paramref name="size"/> bytes; panics when memory is exhausted.</summary>
        public static void* Allocate(ulong size)
        {
            void* p = TryAllocate(size);
            if (p == null)
            {
                Panic.Begin("kernel heap exhausted");
                Log.Write("    cannot allocate "); Log.WriteDecimal(size);
                Log.Write(" bytes; heap holds "); Log.WriteDecimal(s_bytesInUse);
                Log.Write(" bytes in "); Log.WriteDecimal(s_blocksInUse);
                Log.Write(" blocks; free physical memory "); Log.WriteDecimal(PhysicalMemory.FreeBytes / 1024);
                Log.WriteLine(" KiB");
                Panic.End();
            }
            return p;
        }

        /// <summary>A zeroed block, or null when memory is exhausted.</summary>
        public static void* TryAllocate(ulong size)
        {
            if (size == 0) size = 1;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            void* result;
            if (size <= MaxSmall)
            {
                int cls = ClassOf(size);
                ulong blockSize = 1UL << (cls + MinShift);
                if (s_freeLists[cls] == null && !Refill(cls)) result = null;
                else
                {
                    void** block = (void**)s_freeLists[cls];
                    s_freeLists[cls] = *block;
                    Cpu.Zero(block, blockSize);
                    s_bytesInUse += blockSize;
                    result = block;
                }
            }
            else
            {
                ulong pages = (size + LargeHeaderSize + PhysicalMemory.PageSize - 1) / PhysicalMemory.PageSize;
                ulong mem = PhysicalMemory.AllocateContiguous(pages);
                if (mem == 0) result = null;
                else
                {
                    s_pageClass[mem / PhysicalMemory.PageSize] = ClassLarge;
                    ((ulong*)mem)[0] = pages;
                    ((ulong*)mem)[1] = LargeMagic;
                    s_bytesInUse += pages * PhysicalMemory.PageSize;
                    s_framesHeld += pages;
                    s_largeFrames += pages;
                    result = (byte*)mem + LargeHeaderSize;
                }
            }
            if (result != null) s_blocksInUse++;
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return result;
        }

        public static void Free(void* p)
        {
            if (p == null) return;
            ulong frame = (ulong)p / PhysicalMemory.PageSize;
            if (frame >= s_pageClassCount) Panic.Halt("kernel heap: free of a pointer outside memory");
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            byte cls = s_pageClass[frame];
            if (cls == ClassLarge)
            {
                ulong* header = (ulong*)((byte*)p - LargeHeaderSize);
                if ((ulong)header % PhysicalMemory.PageSize != 0 || header[1] != LargeMagic)
                    Panic.Halt("kernel heap: free of a pointer that is not the start of a block");
                ulong pages = header[0];
                header[1] = 0;
                s_pageClass[frame] = ClassNone;
                PhysicalMemory.FreeContiguous((ulong)header, pages);
                s_bytesInUse -= pages * PhysicalMemory.PageSize;
                s_framesHeld -= pages;
                s_largeFrames -= pages;
            }
            else if (cls > ClassNone && cls <= ClassCount)
            {
                int c = cls - 1;
                ulong blockSize = 1UL << (c + MinShift);
                if ((ulong)p % blockSize != 0) Panic.Halt("kernel heap: free of a pointer that is not the start of a block");
                ulong* block = (ulong*)p;
                if (block[1] == FreedMagic) Panic.Halt("kernel heap: double free");
                block[1] = FreedMagic;
                *(void**)block = s_freeLists[c];
                s_freeLists[c] = block;
                s_bytesInUse -= blockSize;
            }
            else
            {
                Panic.Halt("kernel heap: free of a pointer the heap never returned");
            }
            s_blocksInUse--;
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }

        /// <summary>The usable size of a block returned by Allocate.</summary>
        public static ulong SizeOf(void* p)
        {
            byte cls = s_pageClass[(ulong)p / PhysicalMemory.PageSize];
            if (cls == ClassLarge) return ((ulong*)((byte*)p - LargeHeaderSize))[0] * PhysicalMemory.PageSize - LargeHeaderSize;
            return 1UL << (cls - 1 + MinShift);
        }

        private static int ClassOf(ulong size)
        {
            int cls = 0;
            while ((1UL << (cls + MinShift)) < size) cls++;
            return cls;
        }

        // Carves a fresh frame into blocks of the class and threads them onto its free list.
        private static bool Refill(int cls)
        {
            ulong frame = PhysicalMemory.AllocateFrame();
            if (frame == 0) return false;
            s_pageClass[frame / PhysicalMemory.PageSize] = (byte)(cls + 1);
            s_framesHeld++;
            ulong blockSize = 1UL << (cls + MinShift);
            for (ulong off = PhysicalMemory.PageSize; off >= blockSize; off -= blockSize)
            {
                void** block = (void**)(frame + off - blockSize);
                *block = s_freeLists[cls];
                s_freeLists[cls] = block;
            }
            return true;
        }
    }
}
