using System.Runtime.InteropServices;

namespace Singularity.Abi
{
    /// <summary>
    /// One message on a channel, as it crosses the ABI: a message tag (which message of the
    /// contract), up to eight words of plain data, and up to four tracked handles whose
    /// ownership moves with the message. The payload itself never moves: exchange-heap blocks
    /// and endpoints travel as handles.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct ChannelMessage
    {
        public const int DataWords = 8;
        public const int MaxHandles = 4;

        // A handle's kind lives in its top two bits.
        public const ulong KindMask = 3UL << 62;
        public const ulong KindBlock = 1UL << 62;
        public const ulong KindEndpoint = 2UL << 62;

        public int Tag;
        public int HandleCount;
        public fixed long Data[DataWords];
        public fixed ulong Handles[MaxHandles];
    }

    /// <summary>Results of the channel entry points.</summary>
    internal static class ChannelStatus
    {
        public const int Ok = 0;
        public const int BadHandle = -1;
        public const int Closed = -2;          // the peer closed or died (after the queue drained)
        public const int TimedOut = -3;
        public const int BadMessage = -4;      // a handle in the message is not the sender's to give
        public const int OutOfMemory = -5;
    }
}
