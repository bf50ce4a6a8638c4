using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Threading;
using Internal.Runtime;
using Singularity.Abi;

namespace Singularity.Runtime
{
    /// <summary>
    /// The SIP's garbage-collected heap. Memory comes from the kernel in 256 KiB segments (each
    /// counted against the SIP's quota); each 4 KiB page of a segment serves one size class.
    /// Objects above 4 KiB get page runs of their own. Collection is mark-sweep and stops only
    /// this SIP's threads: heap objects are traced precisely with the GC descriptors ilc emits
    /// before each MethodTable; thread stacks and registers are scanned conservatively.
    /// </summary>
    /// <unsafe>The heap's memory comes from the kernel (AllocatePages, zeroed, counted against the
    /// quota) and its bookkeeping (segment headers, page classes, free lists, the mark stack in the
    /// state pages) lives in memory only this class writes. Free lists and page classes change only
    /// with the heap lock held, and a collection runs with the lock held (CollectNow for Sip.Collect)
    /// while the kernel pauses the SIP's other threads (BeginCollection/EndCollection).</unsafe>
    /// <unsafe member="Allocate">Sizes come from the Allocator, which refuses more than 2 GiB or the quota; the block is
    /// zeroed and gets its MethodTable (and length) before the lock is released, so a collection can
    /// never take a handed-out block for a free one.</unsafe>
    /// <unsafe member="TryAllocate">A small size maps to a class whose blocks are at least that large (ClassOf stops at
    /// 4096); the block comes off the class's free list and is zeroed for the class size. A large
    /// size gets whole pages from the kernel, 32 header bytes plus the size rounded up.</unsafe>
    /// <unsafe member="Refill">Carves one page of a segment into blocks of the class size (4096 / size of them).</unsafe>
    /// <unsafe member="TakeFreePage">Scans the page-class bytes of the heap's own segments (pages 1 to 63); a new segment
    /// comes from the kernel.</unsafe>
    /// <unsafe member="Initialize">One state page from the kernel for the free-list heads (ClassCount pointers).</unsafe>
    /// <unsafe member="EnsureCollectorState">Four pages from the kernel, once, before the heap's first memory: the mark
    /// stack (3 pages, capacity counted in entries) and the stack ranges (one page, SipLimits.MaxStackRanges pairs, checked at Initialize).</unsafe>
    /// <unsafe member="Collect">Runs with the heap lock held and the SIP's other threads paused by the kernel.</unsafe>
    /// <unsafe member="MarkStatics">Reads the image's GC static regions (ReadyToRun section 201) through the linker's __modules table.</unsafe>
    /// <unsafe member="MarkStacks">Scans the words of every range the kernel reports (each thread's stack from its saved
    /// stack pointer to its top, 8-aligned) and the collecting thread's registers; completeness of the
    /// list is the kernel's (thread roots, being reworked separately).</unsafe>
    /// <unsafe member="MarkPrecise">An exact reference marks only the object FindObject finds at that address.</unsafe>
    /// <unsafe member="MarkConservative">Any word (a SIP can put any integer on its stack) marks at most the allocated object
    /// that contains it: FindObject only returns blocks of this heap whose MethodTable is set.</unsafe>
    /// <unsafe member="FindObject">Accepts an address only inside a segment's object pages or a large run, in a block
    /// whose MethodTable word is nonzero (allocated); returns that block's object.</unsafe>
    /// <unsafe member="Push">Sets the mark bit (bit 0 of the header word, the collector's; Monitor keeps bits 0-7) and
    /// pushes while the mark stack has room, else notes an overflow for RescanMarked.</unsafe>
    /// <unsafe member="Drain">Pops what Push pushed (objects of this heap).</unsafe>
    /// <unsafe member="ScanObject">Reads the object's MethodTable (allocator-written), its size (BaseSize plus length times
    /// component size for arrays, length allocator-written) and ilc's GC descriptor before the
    /// MethodTable, and marks the reference fields it names, all inside the object.</unsafe>
    /// <unsafe member="RescanMarked">Walks every block of every class page and every large run of this heap.</unsafe>
    /// <unsafe member="Sweep">Rebuilds the free lists from unmarked blocks (their MethodTable word cleared), returns empty
    /// segments and unmarked large runs to the kernel.</unsafe>
    /// <unsafe member="Lock">A spin lock on a static int, yielding through the ABI.</unsafe>
    /// <unsafe member="Zero">sip_zero (asm/sip_start.asm): rep stosq over the given bytes (a class size, a multiple of 8) of a block this class owns.</unsafe>
    /// <unsafe member="CaptureRegisters">sip_capture_registers writes the six callee-saved registers into the caller's 6-word buffer.</unsafe>
    internal static unsafe class GcHeap
    {
        private const ulong PageSize = 4096;
        private const int SegmentPages = 64;
        private const ulong SegmentSize = SegmentPages * PageSize;
        private const ulong SegmentMagic = 0x5345474d454e5431;
        private const int ClassCount = 14;
        private const ulong MaxSmall = 4096;
        private const byte PageFree = 0, PageHeader = 0xFF;
        private const int LargeHeader = 32;       // { next, pages, unused, unused }, then the object's block
        // The free lists' page comes at start-up; the collector's pages (the mark stack, 3 pages, and
        // the stack ranges, SipLimits.MaxStackRanges pairs, one page) with the heap's first memory
        // (EnsureCollectorState): a SIP that never allocates an object never pays for them (the
        // kernel zeroes every page it grants: 2,048 instructions of a SIP's start, docs/benchmarks.md).
        private const int CollectorPages = 4;
        private const ulong StackRangesOffset = 3 * PageSize;

        // Segment header layout, in the segment's first page.
        private struct Segment
        {
            public ulong Magic;
            public Segment* Next;
            public fixed byte PageClass[SegmentPages];
        }

        private static Segment* s_segments;
        private static byte* s_large;              // list of large-object runs
        private static void** s_freeLists;         // ClassCount heads, in a state page
        private static ulong* s_markStack;
        private static ulong* s_stackRanges;       // SipLimits.MaxStackRanges (low, high) pairs
        private static int s_markCapacity, s_markTop;
        private static bool s_markOverflow;
        private static int s_lock;
        private static bool s_collecting;

        public static ulong AllocatedSinceCollection;
        public static ulong Threshold = 512 * 1024;
        public static ulong LiveBytesAfterCollection;
        public static ulong Collections;
        public static ulong LastCollectionFreed;

        private static ulong ClassSize(int c) => c switch
        {
            0 => 16, 1 => 32, 2 => 48, 3 => 64, 4 => 96, 5 => 128, 6 => 192, 7 => 256,
            8 => 384, 9 => 512, 10 => 768, 11 => 1024, 12 => 2048, _ => 4096,
        };

        private static int ClassOf(ulong size)
        {
            int c = 0;
            while (ClassSize(c) < size) c++;
            return c;
        }

        public static void Initialize()
        {
            if (SipLimits.MaxStackRanges * 16 > (int)PageSize) KernelCalls.Fail("garbage collector: no room for the stack ranges", 0);
            byte* state = (byte*)KernelCalls.Abi->AllocatePages(1);
            if (state == null) KernelCalls.Fail("heap quota exceeded before start-up", 0);
            s_freeLists = (void**)state;
        }

        // The collector's pages, taken before the heap's first segment or large run (the heap
        // lock held): false when the quota refuses them, which refuses that memory too. So every
        // heap that holds an object has them, and a collection without them has nothing to free.
        private static bool EnsureCollectorState()
        {
            if (s_markStack != null) return true;
            byte* state = (byte*)KernelCalls.Abi->AllocatePages(CollectorPages);
            if (state == null) return false;
            s_stackRanges = (ulong*)(state + StackRangesOffset);
            s_markCapacity = (int)(StackRangesOffset / 8);
            s_markStack = (ulong*)state;
            return true;
        }

        /// <summary>
        /// A zeroed block of at least <paramref name="size"/> bytes holding a new object of
        /// <paramref name="type"/> (and, for an array or string, <paramref name="length"/>); fails
        /// the SIP at its quota. The header is written before the heap lock is released: a block
        /// whose MethodTable is still 0 counts as free, so a collection another thread ran between
        /// the allocation and its initialisation would hand the block out a second time.
        /// </summary>
        public static byte* Allocate(ulong size, MethodTable* type, int length)
        {
            Lock();
            if (AllocatedSinceCollection >= Threshold) Collect();
            byte* p = TryAllocate(size);
            if (p == null)
            {
                Collect();
                p = TryAllocate(size);
            }
            if (p != null)
            {
                *(MethodTable**)(p + 8) = type;
                if (length >= 0) *(int*)(p + 16) = length;
            }
            Unlock();
            if (p == null)
            {
                ulong used = KernelCalls.Abi->HeapBytes();
                KernelCalls.Fail("heap quota exceeded (" + Number.FormatUnsigned(used / 1024) + " KiB in use, quota "
                                 + Number.FormatUnsigned(KernelCalls.Info->HeapQuota / 1024) + " KiB, request "
                                 + Number.FormatUnsigned(size) + " bytes)", 0);
            }
            return p;
        }

        private static byte* TryAllocate(ulong size)
        {
            if (size <= MaxSmall)
            {
                int c = ClassOf(size);
                if (s_freeLists[c] == null && !Refill(c)) return null;
                void** block = (void**)s_freeLists[c];
                s_freeLists[c] = *block;
                ulong bs = ClassSize(c);
                Zero(block, bs);
                AllocatedSinceCollection += bs;
                return (byte*)block;
            }
            ulong pages = (size + LargeHeader + PageSize - 1) / PageSize;
            if (!EnsureCollectorState()) return null;
            byte* run = (byte*)KernelCalls.Abi->AllocatePages(pages);
            if (run == null) return null;
            *(byte**)run = s_large;
            ((ulong*)run)[1] = pages;
            s_large = run;
            AllocatedSinceCollection += pages * PageSize;
            return run + LargeHeader;
        }

        // Gives class c a fresh page from a segment, carving it into free blocks.
        private static bool Refill(int c)
        {
            byte* page = TakeFreePage(out Segment* seg, out int index);
            if (page == null) return false;
            seg->PageClass[index] = (byte)(c + 1);
            ulong bs = ClassSize(c);
            ulong n = PageSize / bs;
            for (ulong i = n; i > 0; i--)
            {
                void** block = (void**)(page + (i - 1) * bs);
                *block = s_freeLists[c];
                s_freeLists[c] = block;
            }
            return true;
        }

        private static byte* TakeFreePage(out Segment* seg, out int index)
        {
            for (seg = s_segments; seg != null; seg = seg->Next)
                for (index = 1; index < SegmentPages; index++)
                    if (seg->PageClass[index] == PageFree) return (byte*)seg + (ulong)index * PageSize;
            index = 0;
            if (!EnsureCollectorState()) { seg = null; return null; }
            seg = (Segment*)KernelCalls.Abi->AllocatePages(SegmentPages);
            if (seg == null) return null;
            seg->Magic = SegmentMagic;
            seg->PageClass[0] = PageHeader;
            seg->Next = s_segments;
            s_segments = seg;
            index = 1;
            return (byte*)seg + PageSize;
        }

        // ---- collection ----------------------------------------------------------------------

        /// <summary>A collection SIP code asks for (Sip.Collect): under the heap lock, so no allocation is halfway through its free lists.</summary>
        public static void CollectNow()
        {
            Lock();
            Collect();
            Unlock();
        }

        /// <summary>Runs a full collection (the heap lock held). Other threads of this SIP are paused meanwhile.</summary>
        private static void Collect()
        {
            if (s_collecting) return;
            // No collector pages: the heap never took memory (EnsureCollectorState), so there is
            // nothing to free; the collection still counts as one.
            if (s_markStack == null) { Collections++; LastCollectionFreed = 0; return; }
            s_collecting = true;
            KernelCalls.Abi->BeginCollection();
            ulong before = KernelCalls.Abi->HeapBytes();
            s_markTop = 0;
            s_markOverflow = false;
            MarkStatics();
            MarkStacks();
            Drain();
            while (s_markOverflow)
            {
                s_markOverflow = false;
                RescanMarked();
                Drain();
            }
            Sweep();
            Collections++;
            AllocatedSinceCollection = 0;
            ulong after = KernelCalls.Abi->HeapBytes();
            LastCollectionFreed = before > after ? before - after : 0;
            Threshold = LiveBytesAfterCollection > 512 * 1024 ? LiveBytesAfterCollection : 512 * 1024;
            KernelCalls.Abi->EndCollection();
            s_collecting = false;
        }

        private static void MarkStatics()
        {
            ulong* layout = SipLayout.Table;
            for (ulong* m = (ulong*)layout[4]; m < (ulong*)layout[5]; m++)
            {
                byte* header = (byte*)*m;
                if (header == null) continue;
                if (!ModuleStartup.FindSection(header, ModuleStartup.GCStaticRegionSection, out byte* start, out byte* end)) continue;
                for (byte* e = start; e < end; e += 4)
                    MarkPrecise((ulong)*ModuleStartup.GCStaticCell(e));
            }
        }

        // Every thread's stack and registers, or none: a collection on a partial list would free
        // objects only an unscanned thread still uses. The kernel caps a SIP's threads so that
        // the list always fits (SipLimits); should it ever not, the SIP fails instead.
        private static void MarkStacks()
        {
            ulong* regs = stackalloc ulong[6];
            CaptureRegisters(regs);
            for (int i = 0; i < 6; i++) MarkConservative(regs[i]);
            ulong* ranges = s_stackRanges;
            int n = KernelCalls.Abi->GetStackRanges(ranges, SipLimits.MaxStackRanges);
            if (n < 1 || n > SipLimits.MaxStackRanges)
                KernelCalls.Fail("garbage collector: the kernel reported " + n.ToString() + " stack ranges; the collector scans 1 to "
                                 + SipLimits.MaxStackRanges.ToString(), 0);
            for (int t = 0; t < n; t++)
            {
                ulong lo = ranges[t * 2] & ~7UL, hi = ranges[t * 2 + 1];
                for (ulong p = lo; p + 8 <= hi; p += 8) MarkConservative(*(ulong*)p);
            }
        }

        // Marks an object given an exact reference (a heap field or a static).
        private static void MarkPrecise(ulong r)
        {
            if (r == 0) return;
            byte* obj = FindObject(r, exact: true);
            if (obj != null) Push(obj);
        }

        // Marks whatever object a stack word might point into.
        private static void MarkConservative(ulong word)
        {
            if (word < 4096) return;
            byte* obj = FindObject(word, exact: false);
            if (obj != null) Push(obj);
        }

        private static void Push(byte* obj)
        {
            ulong* header = (ulong*)(obj - 8);
            if ((*header & 1) != 0) return;
            *header |= 1;
            if (s_markTop == s_markCapacity) { s_markOverflow = true; return; }
            s_markStack[s_markTop++] = (ulong)obj;
        }

        private static void Drain()
        {
            while (s_markTop > 0) ScanObject((byte*)s_markStack[--s_markTop]);
        }

        /// <summary>
        /// Visits the reference fields of an object with its GC descriptor: before the MethodTable
        /// lies a count of series; positive counts are (size, offset) series whose size is stored
        /// relative to the object's size; negative counts describe a repeating pattern of
        /// (pointers, skip) pairs for arrays of structs that hold references.
        /// </summary>
        private static void ScanObject(byte* obj)
        {
            MethodTable* mt = *(MethodTable**)obj;
            if (!mt->ContainsGCPointers) return;
            ulong size = mt->BaseSize;
            if (mt->HasComponentSize) size += (ulong)*(uint*)(obj + 8) * mt->ComponentSize;
            long n = *((long*)mt - 1);
            if (n > 0)
            {
                long* series = (long*)mt - 1 - 2 * n;
                for (long i = 0; i < n; i++)
                {
                    long length = series[2 * i] + (long)size;
                    byte* p = obj + series[2 * i + 1];
                    for (byte* end = p + length; p < end; p += 8) MarkPrecise(*(ulong*)p);
                }
            }
            else if (n < 0)
            {
                byte* p = obj + *((long*)mt - 2);
                byte* end = obj + size - 8;
                while (p < end)
                {
                    for (long i = 0; i > n; i--)
                    {
                        uint* item = (uint*)((byte*)mt - 24 + 8 * i);
                        uint pointers = item[0], skip = item[1];
                        for (uint k = 0; k < pointers; k++, p += 8) MarkPrecise(*(ulong*)p);
                        p += skip;
                    }
                }
            }
        }

        // After a mark-stack overflow: rescan every marked object so unmarked children get pushed.
        private static void RescanMarked()
        {
            for (Segment* seg = s_segments; seg != null; seg = seg->Next)
                for (int pg = 1; pg < SegmentPages; pg++)
                {
                    byte cls = seg->PageClass[pg];
                    if (cls == PageFree || cls == PageHeader) continue;
                    ulong bs = ClassSize(cls - 1);
                    byte* page = (byte*)seg + (ulong)pg * PageSize;
                    for (ulong b = 0; b + bs <= PageSize; b += bs)
                    {
                        byte* block = page + b;
                        if (*(ulong*)(block + 8) != 0 && (*(ulong*)block & 1) != 0) ScanObject(block + 8);
                    }
                }
            for (byte* run = s_large; run != null; run = *(byte**)run)
                if ((*(ulong*)(run + LargeHeader) & 1) != 0) ScanObject(run + LargeHeader + 8);
        }

        /// <summary>
        /// The object (reference = block + 8) containing <paramref name="address"/>, or null.
        /// With <paramref name="exact"/>, only a reference to the object's start counts.
        /// </summary>
        private static byte* FindObject(ulong address, bool exact)
        {
            for (Segment* seg = s_segments; seg != null; seg = seg->Next)
            {
                ulong b = (ulong)seg;
                if (address < b + PageSize || address >= b + SegmentSize) continue;
                int pg = (int)((address - b) / PageSize);
                byte cls = seg->PageClass[pg];
                if (cls == PageFree || cls == PageHeader) return null;
                ulong bs = ClassSize(cls - 1);
                ulong page = b + (ulong)pg * PageSize;
                ulong index = (address - page) / bs;
                if ((index + 1) * bs > PageSize) return null;
                byte* block = (byte*)(page + index * bs);
                if (*(ulong*)(block + 8) == 0) return null;          // a free block
                if (exact && address != (ulong)block + 8) return null;
                return block + 8;
            }
            for (byte* run = s_large; run != null; run = *(byte**)run)
            {
                ulong start = (ulong)run + LargeHeader, end = (ulong)run + ((ulong*)run)[1] * PageSize;
                if (address < start || address >= end) continue;
                if (exact && address != start + 8) return null;
                return (byte*)start + 8;
            }
            return null;
        }

        private static void Sweep()
        {
            for (int c = 0; c < ClassCount; c++) s_freeLists[c] = null;
            ulong live = 0;
            Segment* prevSeg = null;
            for (Segment* seg = s_segments; seg != null;)
            {
                Segment* nextSeg = seg->Next;
                int usedPages = 0;
                for (int pg = 1; pg < SegmentPages; pg++)
                {
                    byte cls = seg->PageClass[pg];
                    if (cls == PageFree) continue;
                    int c = cls - 1;
                    ulong bs = ClassSize(c);
                    byte* page = (byte*)seg + (ulong)pg * PageSize;
                    void* localFree = null;
                    int liveBlocks = 0;
                    for (ulong off = 0; off + bs <= PageSize; off += bs)
                    {
                        ulong* block = (ulong*)(page + off);
                        if (block[1] != 0 && (block[0] & 1) != 0) { block[0] &= ~1UL; liveBlocks++; live += bs; continue; }
                        block[1] = 0;                               // dead or already free
                        *(void**)block = localFree;
                        localFree = block;
                    }
                    if (liveBlocks == 0) { seg->PageClass[pg] = PageFree; continue; }
                    usedPages++;
                    // Splice this page's free blocks onto its class list.
                    while (localFree != null)
                    {
                        void* next = *(void**)localFree;
                        *(void**)localFree = s_freeLists[c];
                        s_freeLists[c] = localFree;
                        localFree = next;
                    }
                }
                if (usedPages == 0)
                {
                    // An empty segment goes back to the kernel (and off the quota).
                    if (prevSeg == null) s_segments = nextSeg; else prevSeg->Next = nextSeg;
                    KernelCalls.Abi->FreePages((ulong)seg, SegmentPages);
                }
                else prevSeg = seg;
                seg = nextSeg;
            }
            byte* prev = null;
            for (byte* run = s_large; run != null;)
            {
                byte* next = *(byte**)run;
                ulong* marked = (ulong*)(run + LargeHeader);       // the object's header word
                if ((*marked & 1) != 0)
                {
                    *marked &= ~1UL;
                    live += ((ulong*)run)[1] * PageSize;
                    prev = run;
                }
                else
                {
                    if (prev == null) s_large = next; else *(byte**)prev = next;
                    KernelCalls.Abi->FreePages((ulong)run, ((ulong*)run)[1]);
                }
                run = next;
            }
            LiveBytesAfterCollection = live;
        }

        private static void Lock()
        {
            while (Interlocked.CompareExchange(ref s_lock, 1, 0) != 0) KernelCalls.Abi->Yield();
        }

        private static void Unlock() => Interlocked.Exchange(ref s_lock, 0);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "sip_zero")]
        private static extern void Zero(void* p, ulong bytes);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "sip_capture_registers")]
        private static extern void CaptureRegisters(ulong* regs);
    }
}
