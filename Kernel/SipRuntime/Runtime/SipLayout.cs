using System.Runtime;
using System.Runtime.CompilerServices;

namespace Singularity.Runtime
{
    /// <summary>
    /// Linker addresses of this SIP image (asm/sip_start.asm): [0] image start, [1] image end,
    /// [2] text start, [3] text end, [4] __modules start, [5] __modules end.
    /// </summary>
    /// <unsafe>sip_layout_table (asm/sip_start.asm) returns the address of six linker-filled words in the image.</unsafe>
    internal static unsafe class SipLayout
    {
        public static ulong* Table => LayoutTable();

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "sip_layout_table")]
        private static extern ulong* LayoutTable();
    }
}
