namespace Singularity.Abi
{
    /// <summary>
    /// The wire layout of the name service's one message (Contracts/System/NameServiceContract):
    /// Connect, which the kernel sends over a service's listener when a client binds its name.
    /// Compiled into the kernel (which writes it) and the runtime (whose ServiceListener reads it);
    /// neither may reference the contracts assembly, so Tests/Generator.Tests checks these
    /// constants against the generated contract.
    /// </summary>
    internal static class NameServiceWire
    {
        /// <summary>Connect's tag: its index among the contract's messages.</summary>
        public const int ConnectTag = 0;

        /// <summary>The handles Connect carries, in order ('E' an endpoint, 'B' an exchange block).</summary>
        public const string ConnectHandles = "E";

        /// <summary>Bytes of plain data Connect carries.</summary>
        public const int ConnectDataBytes = 0;
    }
}
