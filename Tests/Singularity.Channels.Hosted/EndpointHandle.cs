using System;

namespace Singularity.Channels
{
    /// <summary>The transport under an endpoint: here, one end of an in-memory channel.</summary>
    public readonly struct EndpointHandle
    {
        internal readonly ChannelEnd? End;

        internal EndpointHandle(ChannelEnd end) { End = end; }

        public bool IsNull => End == null;

        /// <summary>A new channel's two ends (used by the generated NewChannel).</summary>
        public static void CreateChannel(out EndpointHandle imp, out EndpointHandle exp)
        {
            ChannelEnd.CreatePair(out ChannelEnd a, out ChannelEnd b);
            imp = new EndpointHandle(a);
            exp = new EndpointHandle(b);
        }
    }
}
