using Singularity.Ipc;

namespace Singularity.Channels
{
    // Kernel-only: the start-up endpoints (from the SIP's manifest) and binding by name go through the
    // kernel's name service; the hosted runtime has its own TryBind (ServiceListener.cs there).
    public readonly partial struct EndpointHandle
    {
        /// <summary>
        /// The channel the kernel bound at start-up for a path this SIP imports (its manifest's
        /// [Imports]); wrap it with the contract's generated FromHandle. Once per path.
        /// </summary>
        /// <safety>Names.TryTakeStartup: a checked copy of the path; only this SIP's start-up endpoints.</safety>
        public static bool TryTakeStartup(string path, out EndpointHandle handle)
        {
            bool ok = Names.TryTakeStartup(path, out RawEndpoint raw);
            handle = new EndpointHandle(raw);
            return ok;
        }

        /// <summary>
        /// Connects to the service registered under <paramref name="name"/> (like "/service/console"):
        /// a new channel whose other end the service accepts on its listener. Wrap it with the
        /// contract's generated FromHandle, or use the generated <c>FooContract.Bind</c>. False if
        /// no live service holds the name.
        /// </summary>
        /// <safety>Names.TryBind: a checked copy of the name; the kernel writes the new handle into a local.</safety>
        public static bool TryBind(string name, out EndpointHandle handle)
        {
            bool ok = Names.TryBind(name, out RawEndpoint raw);
            handle = new EndpointHandle(raw);
            return ok;
        }

        /// <summary>
        /// As TryBind, waiting up to <paramref name="timeoutMs"/> (negative: for ever) for a service
        /// to register the name: a client started before its service (a common race at boot, or
        /// while a supervisor restarts the service) binds once the service is there.
        /// </summary>
        /// <safety>TryBind, retried after 10 ms sleeps (Thread.Sleep) until it succeeds or the
        /// deadline (checked arithmetic on the kernel's monotonic clock, capped) passes.</safety>
        public static bool TryBind(string name, out EndpointHandle handle, int timeoutMs)
        {
            ulong deadline = timeoutMs < 0 ? ulong.MaxValue : Clock.NowMs + (ulong)timeoutMs;
            while (!TryBind(name, out handle))
            {
                ulong now = Clock.NowMs;
                if (now >= deadline) return false;
                ulong left = deadline - now;
                Threading.Thread.Sleep(left < BindRetryMs ? (int)left : BindRetryMs);
            }
            return true;
        }

        // How often a waiting bind asks again: the name service has no wait of its own yet.
        private const int BindRetryMs = 10;
    }
}
