using System;

namespace Singularity.Ipc
{
    /// <summary>
    /// Hosted twin of the kernel transport's RawEndpoint: one end of an in-memory channel and the
    /// generation its holder owns (sending the end away, or receiving it, bumps the generation, so
    /// old copies are refused with BadHandle as the kernel refuses a handle that left the SIP).
    /// </summary>
    internal readonly struct RawEndpoint
    {
        internal readonly ChannelEnd? End;
        internal readonly int Generation;

        internal RawEndpoint(ChannelEnd end, int generation) { End = end; Generation = generation; }

        public bool IsNull => End == null;

        public static void CreateChannel(out RawEndpoint imp, out RawEndpoint exp)
        {
            ChannelEnd.CreatePair(out ChannelEnd a, out ChannelEnd b);
            imp = new RawEndpoint(a, a.Generation);
            exp = new RawEndpoint(b, b.Generation);
        }

        public RecvStatus Send(ref RawMessage message, int timeoutMs = -1)
        {
            RawMessage copy = message;   // as on the kernel: only a copy is checked and sent
            return End == null ? RecvStatus.BadHandle : End.Send(Generation, copy, timeoutMs);
        }

        public RecvStatus Receive(out RawMessage message, int timeoutMs = -1)
        {
            message = default;
            return End == null ? RecvStatus.BadHandle : End.Receive(Generation, out message, timeoutMs);
        }

        /// <summary>As the kernel's: 1 to 64 endpoints, each held by the caller; the index of one that is ready, -1 on timeout.</summary>
        public static int Select(RawEndpoint[] endpoints, int timeoutMs = -1)
        {
            if (endpoints == null) throw new ArgumentNullException("endpoints");
            int n = endpoints.Length;
            if (n == 0 || n > 64) throw new ArgumentOutOfRangeException("endpoints");
            var ends = new RawEndpoint[n];
            Array.Copy(endpoints, ends, n);
            return ChannelEnd.Select(ends, timeoutMs);
        }

        public void Close() => End?.Close(Generation);
    }
}
