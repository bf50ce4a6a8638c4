using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;

namespace Singularity.Kernel.Syscalls
{
    /// <summary>System calls: Debug output on the serial line; the retired console input (refused).</summary>
    internal static unsafe class ConsoleSyscalls
    {
        public static void Register(KernelAbi* t)
        {
            t->DebugWrite = &AbiDebugWrite;
            t->ConsoleRead = &AbiConsoleRead;
        }

        // One call's text goes out whole: another thread's output cannot land inside it (the
        // runtime writes at most 256 bytes per call, so interrupts stay off only briefly).
        private static void AbiDebugWrite(byte* text, int length)
        {
            if (length < 0 || length > SipLimits.DebugWriteMaxBytes) return;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            for (int i = 0; i < length; i++) Log.WriteChar((char)text[i]);
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
        }

        // Console input is the /kernel/console-input endpoint a granted SIP receives at start
        // (IO/ConsoleInputServer.cs, docs/security.md); the retired entry keeps its slot and
        // refuses every caller, reading nothing.
        private static int AbiConsoleRead(byte* buffer, int max, ulong timeoutNs) => -1;
    }
}
