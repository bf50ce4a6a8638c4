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
    }
}
