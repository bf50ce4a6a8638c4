using Singularity.Ipc;

namespace Singularity.Channels
{
    /// <summary>
    /// The transport under an endpoint: on the kernel a channel handle of this SIP. Opaque to
    /// SIP code; generated endpoints wrap it.
    /// </summary>
    public readonly struct EndpointHandle
    {
        internal readonly RawEndpoint Raw;

        internal EndpointHandle(RawEndpoint raw) { Raw = raw; }

        public bool IsNull => Raw.IsNull;

        /// <summary>
        /// The channel the kernel bound at start-up for a path this SIP imports (its manifest's
        /// [Imports]); wrap it with the contract's generated FromHandle. Once per path.
        /// </summary>
        public static bool TryTakeStartup(string path, out EndpointHandle handle)
        {
            bool ok = Names.TryTakeStartup(path, out RawEndpoint raw);
            handle = new EndpointHandle(raw);
            return ok;
        }

        /// <summary>A new channel's two ends (used by the generated NewChannel).</summary>
        public static void CreateChannel(out EndpointHandle imp, out EndpointHandle exp)
        {
            RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
            imp = new EndpointHandle(a);
            exp = new EndpointHandle(b);
        }
    }
}
