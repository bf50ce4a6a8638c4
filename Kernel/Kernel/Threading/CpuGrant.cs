
namespace Singularity.Kernel.Threading
{
    /// <summary>
    /// What a SIP was granted of the processor: its share (a weight: SIPs that all want the CPU get
    /// it in proportion to their shares, whatever their thread counts) and the highest priority its
    /// threads may run at. A SIP never chooses its grant: the system manifest gives one to the
    /// services it starts, a SIP inherits its parent's, everything else gets the default
    /// (docs/scheduling.md).
    /// </summary>
    internal readonly struct CpuGrant
    {
        public const int DefaultShare = 100;
        public const int MinShare = 1;
        public const int MaxShare = 1000;

        public readonly int Share;
        public readonly ThreadPriority MaxPriority;

        /// <summary>A grant; a share outside [MinShare, MaxShare] is clamped, a priority outside [Low, High] too.</summary>
        public CpuGrant(int share, ThreadPriority maxPriority)
        {
            Share = share < MinShare ? MinShare : share > MaxShare ? MaxShare : share;
            MaxPriority = maxPriority < ThreadPriority.Low ? ThreadPriority.Low
                        : maxPriority > ThreadPriority.High ? ThreadPriority.High : maxPriority;
        }

        /// <summary>What a SIP gets when nobody granted it more or less: the default share, Normal priority.</summary>
        public static CpuGrant Default => new CpuGrant(DefaultShare, ThreadPriority.Normal);

        /// <summary>The kernel's own threads: the largest share (they mostly sleep; when they run, they run soon).</summary>
        public static CpuGrant Kernel => new CpuGrant(MaxShare, ThreadPriority.High);

        /// <summary>The priority a new thread of the SIP starts at: Normal, or the grant when that is lower.</summary>
        public ThreadPriority InitialPriority => MaxPriority < ThreadPriority.Normal ? MaxPriority : ThreadPriority.Normal;

        /// <summary>Whether a SIP with this grant may give its threads <paramref name="priority"/> (any raw value).</summary>
        public bool Allows(int priority) => priority >= (int)ThreadPriority.Low && priority <= (int)MaxPriority;
    }
}
