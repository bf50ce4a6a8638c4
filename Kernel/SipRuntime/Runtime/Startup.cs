using System.Runtime;
using System.Runtime.CompilerServices;
using Internal.Runtime;
using Singularity.Abi;

namespace Singularity.Runtime
{
    /// <summary>A SIP's life inside its runtime: start-up, Main, exit.</summary>
    /// <unsafe>The kernel calls sip_runtime_start with its ABI table and the SIP's start-up record; the table's
    /// magic, version and function count are checked before any entry is called or stored. Module
    /// start-up reads the image's own tables; __managed__Main is ilc's entry for the SIP's Main.</unsafe>
    internal static unsafe class Startup
    {
        [RuntimeExport("sip_runtime_start")]
        public static int Start(KernelAbi* abi, SipStartInfo* info)
        {
            if (abi->Magic != KernelAbi.MagicValue || abi->Version != KernelAbi.CurrentVersion || abi->FunctionCount < KernelAbi.Count)
                return -100;        // an ABI this runtime does not speak: fail without calling it
            KernelCalls.Abi = abi;
            KernelCalls.Info = info;
            ChannelEntries.Initialize(abi);
            Singularity.Ipc.ExchangeGuard.Initialize();
            GcHeap.Initialize();
            ExceptionSupport.Initialize();
            ulong* layout = SipLayout.Table;
            string error = ModuleStartup.Initialize((ulong*)layout[4], (ulong*)layout[5]);
            if (error != null) KernelCalls.Fail("module start-up: " + error, 0);
            int code = ManagedMain(0, null);
            abi->ExitProcess(code);
            return code;
        }

        // ilc generates this for the SIP assembly's Main (compiled as an executable).
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "__managed__Main")]
        private static extern int ManagedMain(int argc, byte** argv);
    }
}
