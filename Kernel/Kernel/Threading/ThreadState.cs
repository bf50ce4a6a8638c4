namespace Singularity.Kernel.Threading
{
    internal enum ThreadState : byte
    {
        Ready,
        Running,
        Blocked,        // waiting on an event, mutex, join or sleep
        Dead,
    }

    /// <summary>Scheduling priorities; higher runs first, round-robin within a level.</summary>
    internal enum ThreadPriority : byte
    {
        Idle = 0,
        Low = 1,
        Normal = 2,
        High = 3,
    }
}
