
namespace Singularity.Kernel.Arch
{
    /// <summary>The interrupt descriptor table: 32 CPU exceptions and 16 PIC interrupts.</summary>
    internal static unsafe class Idt
    {
        public const int ExceptionCount = 32;
        public const int IrqBase = 32;
        public const int VectorCount = 48;

        /// <summary>Fills the IDT in <paramref name="page"/>, a zeroed frame from above (Boot), and loads it.</summary>
        public static void Initialize(KernelLayout* layout, ulong page)
        {
            ulong* idt = (ulong*)page;
            for (int v = 0; v < VectorCount; v++)
            {
                // Every vector gets a stack of its own (see Gdt): none may land on a SIP's stack.
                int ist = v == 8 || v == 18 ? Gdt.DoubleFaultIst : v == 2 ? Gdt.NmiIst : Gdt.EntryIst;
                SetGate(idt, v, layout->IsrTable[v], ist);
            }
            byte* idtr = stackalloc byte[10];
            *(ushort*)idtr = 256 * 16 - 1;
            *(ulong*)(idtr + 2) = (ulong)idt;
            Cpu.LoadIdt(idtr);
        }

        // A 64-bit interrupt gate (type 0xE, present, ring 0): interrupts stay off in handlers.
        private static void SetGate(ulong* idt, int vector, ulong handler, int ist)
        {
            ulong low = (handler & 0xFFFF) | ((ulong)Gdt.KernelCode << 16) | ((ulong)(ist & 7) << 32)
                      | (0x8EUL << 40) | (((handler >> 16) & 0xFFFF) << 48);
            idt[vector * 2] = low;
            idt[vector * 2 + 1] = handler >> 32;
        }

        public static string ExceptionName(ulong vector) => vector switch
        {
            0 => "#DE divide error",
            1 => "#DB debug",
            2 => "NMI",
            3 => "#BP breakpoint",
            4 => "#OF overflow",
            5 => "#BR bound range exceeded",
            6 => "#UD invalid opcode",
            7 => "#NM device not available",
            8 => "#DF double fault",
            10 => "#TS invalid TSS",
            11 => "#NP segment not present",
            12 => "#SS stack-segment fault",
            13 => "#GP general protection fault",
            14 => "#PF page fault",
            16 => "#MF x87 floating-point error",
            17 => "#AC alignment check",
            18 => "#MC machine check",
            19 => "#XM SIMD floating-point exception",
            20 => "#VE virtualization exception",
            21 => "#CP control protection exception",
            _ => "reserved exception",
        };
    }
}
