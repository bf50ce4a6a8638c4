using Singularity.Channels;

namespace Singularity.Contracts
{
    /// <summary>
    /// The name service's messages: what the kernel, which keeps the names, sends to a service
    /// over the listener it registered (ABI NameRegister, or [Exports] in its manifest). For
    /// every client that binds the name (ABI NameBind) the kernel makes a new channel, gives the
    /// client its importing end and sends Connect with the exporting end, untyped: the service
    /// wraps it with its own contract's FromHandle, so any contract can be served by name. A
    /// client that wraps its end with another contract cannot harm the service: a message the
    /// service's state does not allow fails only that client's channel (generated PeerViolation).
    ///
    /// The kernel writes this layout without referencing this assembly: Kernel/Abi/NameServiceWire.cs
    /// holds the tag and the handle kinds, and Tests/Generator.Tests/NameServiceWireTests.cs checks
    /// they agree with what the generator makes of this contract. SIP code uses the generated
    /// <c>FooContract.Listener</c> (Accept yields a FooContract.Exp) and <c>FooContract.Bind</c>.
    /// </summary>
    [Contract(Protocol = """
        state Listening: Connect? -> Listening;
        """)]
    public partial interface NameServiceContract
    {
        [In] void Connect(EndpointHandle client);
    }
}
