using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Singularity.Kernel.Arch
{
    /// <summary>Linker-defined addresses of the kernel image (table in Arch/x64/layout.asm).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct KernelLayout
    {
        public ulong KernelStart, KernelEnd;
        public ulong TextStart, TextEnd;
        public ulong ModulesStart, ModulesEnd;
        public ulong EhFrameStart, EhFrameEnd;
        public ulong BootStackGuard, BootStackBottom, BootStackTop;
        public ulong* SymbolCount;
        public ulong SymbolTable;
        public ulong* IsrTable;

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "kernel_layout_table")]
        private static extern KernelLayout* Table();

        public static KernelLayout* Get() => Table();
    }
}
