using System.Collections.Generic;
using System.Threading;

namespace Singularity.Channels
{
    /// <summary>
    /// Hosted start-up endpoints: what the kernel wires from a SIP's manifest before its Main
    /// ([Exports]: a registered listener, taken with ServiceListener.TryOpen; [Imports]: a bound
    /// channel, taken with EndpointHandle.TryTakeStartup), made on .NET by the host
    /// (Singularity.Hosted.HostedSip) for the SIP whose code runs on this thread and the threads
    /// it starts. Each is taken once, as on the kernel.
    /// </summary>
    public static class HostedStartup
    {
        private static readonly AsyncLocal<Dictionary<string, object>> s_table = new AsyncLocal<Dictionary<string, object>>();

        /// <summary>Starts this thread's (and its future threads') table of start-up endpoints, empty.</summary>
        public static void Begin() => s_table.Value = new Dictionary<string, object>();

        /// <summary>Registers <paramref name="path"/> for the running SIP, as the kernel does for an [Exports]; false when the name is taken.</summary>
        public static bool Export(string path)
        {
            if (!ServiceListener.TryRegister(path, out ServiceListener listener)) return false;
            Put(path, listener);
            return true;
        }

        /// <summary>Binds <paramref name="path"/> for the running SIP, as the kernel does for an [Imports]; false when no service registered it.</summary>
        public static bool Import(string path)
        {
            if (!EndpointHandle.TryBind(path, out EndpointHandle handle)) return false;
            Put(path, handle);
            return true;
        }

        private static void Put(string path, object endpoint)
        {
            Dictionary<string, object> table = s_table.Value ?? throw new System.InvalidOperationException("HostedStartup.Begin was not called on this thread");
            lock (table) table[path] = endpoint;
        }

        internal static bool TryTake<T>(string path, out T endpoint)
        {
            endpoint = default;
            Dictionary<string, object> table = s_table.Value;
            if (table == null || path == null) return false;
            lock (table)
            {
                if (!table.TryGetValue(path, out object found) || !(found is T typed)) return false;
                table.Remove(path);
                endpoint = typed;
                return true;
            }
        }
    }
}
