using Singularity.Ipc;

namespace Singularity.Channels
{
    // Kernel-only: the start-up endpoints come from the SIP's manifest through the name service.
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
    }
}
