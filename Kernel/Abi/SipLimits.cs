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

        /// <summary>DebugWrite writes at most this many bytes per call; a longer call writes nothing.</summary>
        public const int DebugWriteMaxBytes = 4096;

        /// <summary>FailProcess keeps at most this many bytes of the SIP's message.</summary>
        public const int FailMessageMaxBytes = 1024;

        /// <summary>FailProcessWithTrace keeps at most this many return addresses.</summary>
        public const int FailTraceMaxFrames = 32;

        /// <summary>A service name (NameRegister, NameBind) or startup-endpoint path: 1 to this many ASCII bytes.</summary>
        public const int NameMaxBytes = 128;

        /// <summary>SipStart's module name: 1 to this many ASCII bytes.</summary>
        public const int ModuleNameMaxBytes = 64;

        /// <summary>SipStart's arguments: at most this many ASCII bytes.</summary>
        public const int ArgumentsMaxBytes = 1024;

        /// <summary>ChannelSelect waits on 1 to this many endpoints.</summary>
        public const int SelectMaxEndpoints = 128;

        /// <summary>
        /// Kernel memory SipStart requires to be free beyond the new SIP's image and main stack (its
        /// record, handle table and first allocations), so that starting a SIP cannot exhaust the kernel.
        /// </summary>
        public const ulong SipStartKernelBytes = 64 * 1024;
    }
}
