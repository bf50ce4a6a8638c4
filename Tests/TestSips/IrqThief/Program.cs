using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using Singularity;
using Singularity.Abi;

// A legacy driver granted interrupt line 5 (the first of its grant, index 0), which reaches for
// lines it does not hold through the ABI table directly (HostileDriverTests). Modes:
//   own        waits 10 ms on its own line (no device raises it: a timeout), acknowledges, exits 0.
//   other      waits on index 1, which its grant does not hold: the kernel must fail it alone.
//   negative   waits on index -1: likewise.
//   keyboard   acknowledges index 7 (hoping for another driver's line 1, unmasked): likewise.
[assembly: Device("isa/irq-thief")]
[assembly: Irq(5)]

public static unsafe class Program
{
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "sip_kernel_abi")]
    private static extern KernelAbi* Table();

    public static int Main()
    {
        KernelAbi* a = Table();
        string mode = Sip.Arguments;
        if (mode == "own")
        {
            int got = a->InterruptWait(0, 10UL * 1000 * 1000);
            a->InterruptAck(0);
            Debug.WriteLine("irqthief: own line waited: " + got.ToString());
            return got == 0 ? 0 : 1;
        }
        if (mode == "other") a->InterruptWait(1, 0);
        else if (mode == "negative") a->InterruptWait(-1, 0);
        else if (mode == "keyboard") a->InterruptAck(7);
        else { Debug.WriteLine("irqthief: unknown mode"); return 2; }
        Debug.WriteLine("irqthief: WRONG the kernel let it use a line it does not hold");
        return 1;
    }
}

namespace System.Runtime
{
    // ilc binds a method to a native symbol by this attribute's name; the core library's own is
    // internal, so the fixture declares one, as StackEdge does (only unverified code can: SV0105).
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class RuntimeImportAttribute : Attribute
    {
        public RuntimeImportAttribute(string library, string entry) { }
    }
}
