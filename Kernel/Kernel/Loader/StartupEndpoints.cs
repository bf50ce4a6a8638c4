using Singularity.Abi;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Ipc;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.Loader
{
    /// <summary>
    /// Start-up wiring from the manifest: before a SIP runs, the kernel registers every path it
    /// exports (the SIP receives the listener on which clients' connections arrive) and binds
    /// every path it imports (the SIP receives its end of a channel to that service). The SIP's
    /// runtime takes them by path (ABI TakeStartupEndpoint), once each. A SIP whose module is
    /// granted `processes` also finds its process-manager endpoint, under /kernel/processes
    /// (ProcessManager), and one granted `console-input` its input endpoint, under
    /// /kernel/console-input (IO/ConsoleInputServer): no other SIP can take one, and no SIP can
    /// export a /kernel/ path.
    /// </summary>
    internal static unsafe class StartupEndpoints
    {
        // The console-input server (IO, a layer above): Boot hands it down before any SIP starts.
        private static KernelServer s_consoleInput;

        public static void SetConsoleInputServer(KernelServer server) => s_consoleInput = server;

        /// <summary>Wires the SIP; returns null, or why it cannot start (an export's name is taken).</summary>
        public static string Wire(Sip sip, string[] exports, string[] imports)
        {
            // A module granted `processes` finds its process-manager endpoint here (ProcessManager).
            bool processes = Grants.Has(sip, Grants.Processes);
            bool input = Grants.Has(sip, Grants.ConsoleInput) && s_consoleInput != null;
            int total = (exports == null ? 0 : exports.Length) + (imports == null ? 0 : imports.Length) + (processes ? 1 : 0) + (input ? 1 : 0);
            if (total == 0) return null;
            sip.StartupPaths = new string[total];
            sip.StartupHandles = new int[total];
            int n = 0;
            for (int i = 0; exports != null && i < exports.Length; i++)
            {
                Endpoint.CreatePair(sip, out Endpoint client, out Endpoint listener);
                int registered = sip.AddHandle(client);
                int kept = sip.AddHandle(listener);
                if (registered < 0 || kept < 0) return "export " + exports[i] + ": out of handles";
                int r = NameService.Register(sip, exports[i], registered);
                if (r == NameService.NameTaken) return "export " + exports[i] + ": the name is taken by a running service";
                if (r == NameService.NotGranted) return "export " + exports[i] + ": the system manifest does not grant the name to " + sip.Name;
                if (r != ChannelStatus.Ok) return "export " + exports[i] + ": registration failed (" + r.ToString() + ")";
                sip.StartupPaths[n] = exports[i];
                sip.StartupHandles[n++] = kept;
            }
            if (processes)
            {
                int h = ProcessManager.GrantTo(sip);
                if (h < 0) return "process control: out of handles";
                sip.StartupPaths[n] = CopyOf(ProcessManagerWire.Path);
                sip.StartupHandles[n++] = h;
            }
            if (input)
            {
                int h = s_consoleInput.Grant(sip);
                if (h < 0) return "console input: out of handles";
                sip.StartupPaths[n] = CopyOf(ConsoleInputWire.Path);
                sip.StartupHandles[n++] = h;
            }
            for (int i = 0; imports != null && i < imports.Length; i++)
            {
                int h;
                int r = NameService.Bind(sip, imports[i], &h);
                if (r != ChannelStatus.Ok)
                {
                    // Not fatal: the service may start later; the SIP can bind by name itself.
                    ulong whole = Log.BeginLine();
                    Log.Write("sip "); Log.Write(sip.Name); Log.Write("#"); Log.WriteDecimal((ulong)sip.Id);
                    Log.Write(": import "); Log.Write(imports[i]); Log.WriteLine(" not bound (no such service yet)");
                    Log.EndLine(whole);
                    Allocator.Free(imports[i]);
                    continue;
                }
                sip.StartupPaths[n] = imports[i];
                sip.StartupHandles[n++] = h;
            }
            return null;
        }

        // The SIP's own copy of a kernel path (taking it frees it; a literal must never be freed).
        private static string CopyOf(string path)
        {
            byte* ascii = stackalloc byte[path.Length];
            for (int k = 0; k < path.Length; k++) ascii[k] = (byte)path[k];
            return string.FromAscii(ascii, path.Length);
        }

        /// <summary>The handle wired for the path (ASCII in the SIP's memory), once; -1 if none.</summary>
        public static int Take(Sip sip, byte* path, int length)
        {
            if (sip.StartupPaths == null) return -1;
            for (int i = 0; i < sip.StartupPaths.Length; i++)
            {
                string p = sip.StartupPaths[i];
                if (p == null || p.Length != length) continue;
                int k = 0;
                while (k < length && p[k] == (char)path[k]) k++;
                if (k != length) continue;
                sip.StartupPaths[i] = null;
                Allocator.Free(p);
                return sip.StartupHandles[i];
            }
            return -1;
        }
    }
}
