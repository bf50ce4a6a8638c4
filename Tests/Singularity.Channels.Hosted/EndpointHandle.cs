using System;

namespace Singularity.Channels
{
    /// <summary>The transport under an endpoint: here, one end of an in-memory channel.</summary>
    public readonly struct EndpointHandle
    {
        internal readonly ChannelEnd? End;

        internal EndpointHandle(ChannelEnd end) { End = end; }

        public bool IsNull => End == null;

        /// <summary>Connects to the service registered as <paramref name="name"/> (ServiceListener.TryRegister); false if none.</summary>
        public static bool TryBind(string name, out EndpointHandle handle) => ServiceListener.TryBind(name, out handle);

        /// <summary>A new channel's two ends (used by the generated NewChannel).</summary>
        public static void CreateChannel(out EndpointHandle imp, out EndpointHandle exp)
        {
            ChannelEnd.CreatePair(out ChannelEnd a, out ChannelEnd b);
            imp = new EndpointHandle(a);
            exp = new EndpointHandle(b);
        }
    }
}
