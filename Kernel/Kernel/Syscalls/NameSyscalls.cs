using Singularity.Abi;

namespace Singularity.Kernel.Syscalls
{
    /// <summary>System calls: The name service: register a name, bind to one.</summary>
    internal static unsafe class NameSyscalls
    {
        public static void Register(KernelAbi* t)
        {
            t->NameRegister = &AbiNameRegister;
            t->NameBind = &AbiNameBind;
        }

        // Names are compared in place: a lookup costs the kernel no memory that could pile up.
        private static int AbiNameRegister(byte* name, int length, int listener) =>
            Ipc.NameService.Register(AbiTable.Caller, name, length, listener);

        private static int AbiNameBind(byte* name, int length, int* endpoint) =>
            Ipc.NameService.Bind(AbiTable.Caller, name, length, endpoint);
    }
}
