using Singularity.Ipc;

namespace Singularity.Channels
{
    /// <summary>
    /// The transport under an endpoint: on the kernel a channel handle of this SIP. Opaque to
    /// SIP code; generated endpoints wrap it.
    /// </summary>
    /// <safety>Opaque: one internal channel handle, which the kernel checks on every use; <c>default</c>
    /// is the null handle. Copies name the same channel; using one after another copy was wrapped
    /// or sent only meets the kernel's refusal (the verifier refuses such code anyway, SV0302).</safety>
    public readonly struct EndpointHandle
    {
        internal readonly RawEndpoint Raw;

        internal EndpointHandle(RawEndpoint raw) { Raw = raw; }

        /// <safety>Compares the handle.</safety>
        public bool IsNull => Raw.IsNull;

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

        /// <summary>A new channel's two ends (used by the generated NewChannel).</summary>
        /// <safety>RawEndpoint.CreateChannel.</safety>
        public static void CreateChannel(out EndpointHandle imp, out EndpointHandle exp)
        {
            RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
            imp = new EndpointHandle(a);
            exp = new EndpointHandle(b);
        }
    }
}
