using System.Runtime;
using System.Runtime.CompilerServices;

namespace Singularity.Kernel.Arch
{
    /// <summary>The privileged instructions, implemented in Arch/x64/cpu.asm.</summary>
    internal static unsafe class Cpu
    {
        /// <summary>The x86-64 page (and frame) size.</summary>
        public const ulong PageSize = 4096;

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_outb")] public static extern void OutB(ushort port, byte value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_outw")] public static extern void OutW(ushort port, ushort value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_outl")] public static extern void OutL(ushort port, uint value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_inb")] public static extern byte InB(ushort port);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_inw")] public static extern ushort InW(ushort port);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_inl")] public static extern uint InL(ushort port);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_read_cr0")] public static extern ulong ReadCr0();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_read_cr2")] public static extern ulong ReadCr2();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_read_cr3")] public static extern ulong ReadCr3();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_write_cr3")] public static extern void WriteCr3(ulong value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_read_cr4")] public static extern ulong ReadCr4();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_invlpg")] public static extern void InvalidatePage(ulong address);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_load_gdt")] public static extern void LoadGdt(void* gdtr);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_load_tss")] public static extern void LoadTss(ushort selector);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_load_idt")] public static extern void LoadIdt(void* idtr);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_enable_interrupts")] public static extern void EnableInterrupts();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_disable_interrupts")] public static extern void DisableInterrupts();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_wait_for_interrupt")] public static extern void WaitForInterrupt();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_halt_forever")] public static extern void HaltForever();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_pause")] public static extern void Pause();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_read_rflags")] public static extern ulong ReadRflags();
        /// <summary>ReadRflags then DisableInterrupts, in one call (the channel calls' entry): the flags as they were.</summary>
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_save_flags_disable_interrupts")] public static extern ulong SaveFlagsDisableInterrupts();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_rdtsc")] public static extern ulong ReadTsc();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_rdmsr")] public static extern ulong ReadMsr(uint msr);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_wrmsr")] public static extern void WriteMsr(uint msr, ulong value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_read_rbp")] public static extern ulong ReadRbp();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_read_rsp")] public static extern ulong ReadRsp();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_breakpoint")] public static extern void Breakpoint();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_invalid_opcode")] public static extern void InvalidOpcode();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_cpuid")] public static extern void CpuId(uint leaf, uint subleaf, uint* regs);

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_copy")] public static extern void Copy(void* dst, void* src, ulong bytes);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "cpu_zero")] public static extern void Zero(void* dst, ulong bytes);

        public static bool InterruptsEnabled => (ReadRflags() & (1 << 9)) != 0;
    }
}
