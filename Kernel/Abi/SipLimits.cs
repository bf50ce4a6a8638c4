namespace Singularity.Abi
{
    /// <summary>
    /// Limits every SIP lives within (docs/abi.md). Compiled into the kernel, which enforces
    /// them, and into the runtime, which sizes its buffers from them.
    /// </summary>
    internal static class SipLimits
    {
        /// <summary>
        /// Live threads per SIP at most, its main thread included, whatever its grant; CreateThread
        /// beyond its grant (64 by default, SipQuota) returns ThreadLimitReached.
        /// </summary>
        public const int MaxThreads = 128;

        /// <summary>CreateThread's result when the SIP already has as many live threads as it was granted.</summary>
        public const int ThreadLimitReached = -2;

        /// <summary>The usable stack of each SIP thread; an unmapped guard page lies just below it.</summary>
        public const ulong ThreadStackBytes = 64 * 1024;

        /// <summary>
        /// GetStackRanges reports at most this many ranges per thread: the used part of its SIP
        /// stack and, while it is inside the kernel, the part of its kernel stack holding its registers.
        /// </summary>
        public const int StackRangesPerThread = 2;

        /// <summary>The most ranges GetStackRanges can report for one SIP.</summary>
        public const int MaxStackRanges = MaxThreads * StackRangesPerThread;
    }
}
