using Singularity.Kernel.Threading;

namespace Singularity.Kernel.IO.Iommu
{
    /// <summary>
    /// The timer tick's handler (Boot/Kernel.cs ConnectLayers): every 8th tick, when the IOMMU is
    /// on, logs the faults it recorded (IntelIommu.PollFaults; its fault interrupt stays masked:
    /// the kernel has no MSI yet), then runs the scheduler's tick, which may switch threads.
    /// </summary>
    internal static class IommuFaultPoll
    {
        private static uint s_ticks;

        public static void OnTick()
        {
            if (IntelIommu.Enabled && (++s_ticks & 7) == 0) IntelIommu.PollFaults();
            Scheduler.OnTick();
        }
    }
}
