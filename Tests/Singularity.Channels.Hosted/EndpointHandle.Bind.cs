namespace Singularity.Channels
{
    // Hosted: binding a name goes to the in-process name table of ServiceListener.
    public readonly partial struct EndpointHandle
    {
        /// <summary>Connects to the service registered as <paramref name="name"/> (ServiceListener.TryRegister); false if none.</summary>
        public static bool TryBind(string name, out EndpointHandle handle) => ServiceListener.TryBind(name, out handle);

        /// <summary>The channel the host bound for an [Imports] of the running SIP (HostedStartup), once.</summary>
        public static bool TryTakeStartup(string path, out EndpointHandle handle) => HostedStartup.TryTake(path, out handle);

        /// <summary>As TryBind, waiting up to <paramref name="timeoutMs"/> (negative: for ever) for the name to be registered.</summary>
        public static bool TryBind(string name, out EndpointHandle handle, int timeoutMs)
        {
            long deadline = timeoutMs < 0 ? long.MaxValue : System.Environment.TickCount64 + timeoutMs;
            while (!TryBind(name, out handle))
            {
                long left = deadline - System.Environment.TickCount64;
                if (left <= 0) return false;
                System.Threading.Thread.Sleep(left < 10 ? (int)left : 10);
            }
            return true;
        }
    }
}
