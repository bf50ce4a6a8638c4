namespace Singularity.Abi
{
    /// <summary>
    /// The wire layout of ConsoleInputContract (Contracts/System), which the kernel serves on
    /// every `/kernel/console-input` endpoint. Compiled into the kernel and the runtime (whose
    /// ConsoleInput speaks it); Tests/Generator.Tests checks it against the generated contract.
    /// </summary>
    internal static class ConsoleInputWire
    {
        /// <summary>The start-up path under which a granted SIP finds its endpoint.</summary>
        public const string Path = "/kernel/console-input";

        public const int ReadTag = 0;       // (long timeoutNs @0, 0 = for ever; block: room for the bytes)
        public const int InputTag = 1;      // (int count @0; block: the same buffer, count bytes filled)
        public const string ReadHandles = "B", InputHandles = "B";

        /// <summary>Input's count when the input is not the principal's (another SIP owns it, or no grant).</summary>
        public const int Refused = -1;
    }
}
