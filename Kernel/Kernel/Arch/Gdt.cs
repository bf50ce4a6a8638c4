
namespace Singularity.Kernel.Arch
{
    /// <summary>
    /// The kernel's GDT: flat 64-bit code and data, and a TSS whose interrupt stack table gives
    /// every interrupt and exception a known-good stack to land on. In ring 0 the CPU would push
    /// the interrupt frame on the running stack, which may be a SIP's stack a few bytes above its
    /// guard page; with IST it never does. Most vectors land on the entry stack and the stub moves
    /// them to the thread's kernel stack at once (interrupts.asm); double faults, NMIs and machine
    /// checks keep stacks of their own.
    /// </summary>
    internal static unsafe class Gdt
    {
        public const ushort KernelCode = 0x08, KernelData = 0x10, TssSelector = 0x18;
        public const int EntryIst = 1, DoubleFaultIst = 2, NmiIst = 3;
        public const ulong IstStackSize = 16 * 1024;

        private static ulong* s_gdt;
        private static byte* s_tss;

        /// <summary>Stacks the IST entries point at (the top addresses), for stack-trace bounds.</summary>
        public static ulong EntryStackTop, DoubleFaultStackTop, NmiStackTop;

        /// <summary>
        /// <paramref name="bootStackLow"/>/<paramref name="bootStackHigh"/>: the kernel stack running now.
        /// The memory comes from above (Boot: Arch sits below Memory): <paramref name="page"/> a zeroed
        /// frame for the GDT and TSS, <paramref name="newIstStack"/> returns the top of a fresh
        /// <see cref="IstStackSize"/>-byte stack with an unmapped guard page below it.
        /// </summary>
        public static void Initialize(ulong bootStackLow, ulong bootStackHigh, ulong page, delegate*<ulong> newIstStack)
        {
            s_gdt = (ulong*)page;
            s_tss = (byte*)page + 256;              // 104-byte TSS in the same page

            s_gdt[0] = 0;
            s_gdt[1] = 0x00AF9A000000FFFF;          // 64-bit code, ring 0
            s_gdt[2] = 0x00CF92000000FFFF;          // data, ring 0
            ulong tss = (ulong)s_tss;
            ulong limit = 103;
            // A 16-byte system descriptor: type 9 (available 64-bit TSS), present.
            s_gdt[3] = (limit & 0xFFFF) | ((tss & 0xFFFFFF) << 16) | (0x89UL << 40) | (((limit >> 16) & 0xF) << 48) | (((tss >> 24) & 0xFF) << 56);
            s_gdt[4] = tss >> 32;

            EntryStackTop = newIstStack();
            DoubleFaultStackTop = newIstStack();
            NmiStackTop = newIstStack();
            SetIst(EntryIst, EntryStackTop);
            SetIst(DoubleFaultIst, DoubleFaultStackTop);
            SetIst(NmiIst, NmiStackTop);
            KernelEntry.Initialize(bootStackLow, bootStackHigh, EntryStackTop - IstStackSize, EntryStackTop);
            *(ushort*)(s_tss + 102) = 104;          // no I/O permission bitmap

            byte* gdtr = stackalloc byte[10];
            *(ushort*)gdtr = 5 * 8 - 1;
            *(ulong*)(gdtr + 2) = (ulong)s_gdt;
            Cpu.LoadGdt(gdtr);
            Cpu.LoadTss(TssSelector);
        }

        private static void SetIst(int index, ulong top) => *(ulong*)(s_tss + 36 + 8 * (index - 1)) = top;

        public static bool IsIstStack(ulong address, out ulong top)
        {
            top = 0;
            if (address < EntryStackTop && address >= EntryStackTop - IstStackSize) top = EntryStackTop;
            else if (address < DoubleFaultStackTop && address >= DoubleFaultStackTop - IstStackSize) top = DoubleFaultStackTop;
            else if (address < NmiStackTop && address >= NmiStackTop - IstStackSize) top = NmiStackTop;
            return top != 0;
        }
    }
}
