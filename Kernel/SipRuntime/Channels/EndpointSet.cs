// Shared: compiled into the SIP runtime and into the hosted runtime (Tests/Singularity.Channels.Hosted).
#nullable disable
using System;
using Singularity.Ipc;

namespace Singularity.Channels
{
    /// <summary>Waiting on several endpoints at once: the `switch receive` of Sing#.</summary>
    /// <safety>A static helper over RawEndpoint.Select.</safety>
    public static class EndpointSet
    {
        /// <summary>Index of an endpoint with a message or a closed peer; -1 on timeout.</summary>
        /// <safety>Null is ArgumentNullException; each element is read once (another thread may change the
        /// array) into a new array of the runtime's; a null or closed endpoint is ArgumentException; then
        /// RawEndpoint.Select checks the count (1 to 64) and the kernel the handles.</safety>
        public static int Select(Endpoint[] endpoints, int timeoutMs = -1)
        {
            if (endpoints == null) throw new ArgumentNullException("endpoints");
            // Each element is read once: another thread may change the array meanwhile.
            var raw = new RawEndpoint[endpoints.Length];
            for (int i = 0; i < raw.Length; i++)
            {
                Endpoint e = endpoints[i];
                if (e == null || e.IsClosed) throw new ArgumentException("select over a closed or missing endpoint");
                raw[i] = e.Handle.Raw;
            }
            return RawEndpoint.Select(raw, timeoutMs);
        }
    }
}
