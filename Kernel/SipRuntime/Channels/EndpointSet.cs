using System;
using Singularity.Ipc;

namespace Singularity.Channels
{
    /// <summary>Waiting on several endpoints at once: the `switch receive` of Sing#.</summary>
    public static class EndpointSet
    {
        /// <summary>Index of an endpoint with a message or a closed peer; -1 on timeout.</summary>
        public static int Select(Endpoint[] endpoints, int timeoutMs = -1)
        {
            if (endpoints == null) throw new ArgumentNullException("endpoints");
            var raw = new RawEndpoint[endpoints.Length];
            for (int i = 0; i < endpoints.Length; i++)
            {
                if (endpoints[i] == null || endpoints[i].IsClosed) throw new ArgumentException("select over a closed or missing endpoint");
                raw[i] = endpoints[i].Handle.Raw;
            }
            return RawEndpoint.Select(raw, timeoutMs);
        }
    }
}
