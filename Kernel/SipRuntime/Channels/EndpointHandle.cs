// Shared: compiled into the SIP runtime and into the hosted runtime (Tests/Singularity.Channels.Hosted).
#nullable disable
using Singularity.Ipc;

namespace Singularity.Channels
{
    /// <summary>
    /// The transport under an endpoint: one end of a channel (on the kernel a channel handle of
    /// this SIP, hosted an in-memory channel end). Opaque to SIP code; generated endpoints wrap it.
    /// </summary>
    /// <safety>Opaque: one internal channel handle, which the kernel checks on every use; <c>default</c>
    /// is the null handle. Copies name the same channel; using one after another copy was wrapped
    /// or sent only meets the kernel's refusal (the verifier refuses such code anyway, SV0302).</safety>
    public readonly partial struct EndpointHandle
    {
        internal readonly RawEndpoint Raw;

        internal EndpointHandle(RawEndpoint raw) { Raw = raw; }

        /// <safety>Compares the handle.</safety>
        public bool IsNull => Raw.IsNull;

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
