namespace Singularity.Abi
{
    /// <summary>
    /// The wire layout of ProcessManagerContract (Contracts/System), which the kernel serves on
    /// every `/kernel/processes` endpoint. Compiled into the kernel (which reads requests and
    /// writes replies) and the runtime (whose Processes and SystemInfo speak it); neither may
    /// reference the contracts assembly, so Tests/Generator.Tests checks these constants against
    /// the generated contract. Data is packed in parameter order from byte 0 of the data words.
    /// </summary>
    internal static class ProcessManagerWire
    {
        /// <summary>The start-up path under which a granted SIP finds its endpoint.</summary>
        public const string Path = "/kernel/processes";

        // Tags: each message's index in the contract.
        public const int StartTag = 0;      // (int moduleLength @0; block: name then arguments)
        public const int StartedTag = 1;    // (int result @0)
        public const int WaitTag = 2;       // (int id @0, long timeoutNs @4; 0 = for ever)
        public const int WaitedTag = 3;     // (int result @0, int exitCode @4)
        public const int KillTag = 4;       // (int id @0)
        public const int KilledTag = 5;     // (int result @0)
        public const int ListTag = 6;       // (block: room for SipInfo records)
        public const int ListedTag = 7;     // (int count @0; block: the same buffer, filled)

        /// <summary>The handles each message carries ('B' an exchange block), by tag.</summary>
        public const string StartHandles = "B", StartedHandles = "", WaitHandles = "", WaitedHandles = "",
            KillHandles = "", KilledHandles = "", ListHandles = "B", ListedHandles = "B";

        // Results (Started, Waited, Killed), as the ABI calls returned them before.
        public const int NotPermitted = -4;     // KernelAbi.NotPermitted: the principal may not do that
        public const int BadRequest = -1;       // Start: a name or arguments out of range; Wait: no such SIP; Kill: not running
        public const int NoSuchModule = -2;     // Start
        public const int CannotStart = -3;      // Start: out of memory, the image failed to load, the principal ended
        public const int Itself = -2;           // Kill: the principal or the sender itself
        public const int StillRunning = 0, Exited = 1, Failed = 2;   // Waited
    }
}
