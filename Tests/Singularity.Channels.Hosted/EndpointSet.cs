using System;

namespace Singularity.Channels
{
    /// <summary>Waiting on several endpoints at once: the `switch receive` of Sing#.</summary>
    public static class EndpointSet
    {
        /// <summary>Index of an endpoint with a message or a closed peer; -1 on timeout.</summary>
        public static int Select(Endpoint[] endpoints, int timeoutMs = -1)
        {
            if (endpoints == null) throw new ArgumentNullException(nameof(endpoints));
            var ends = new ChannelEnd[endpoints.Length];
            for (int i = 0; i < endpoints.Length; i++)
                ends[i] = endpoints[i]?.End ?? throw new ArgumentException("select over a closed or missing endpoint", nameof(endpoints));
            long deadline = Hub.Deadline(timeoutMs);
            lock (Hub.Lock)
            {
                while (true)
                {
                    for (int i = 0; i < ends.Length; i++)
                        if (ends[i].Ready) return i;
                    if (timeoutMs == 0 || !Hub.Wait(deadline)) return -1;
                }
            }
        }
    }
}
