using Singularity.Channels;

namespace Singularity.Contracts
{
    /// <summary>
    /// Process control (docs/security.md): starting boot modules, waiting for, killing and listing
    /// SIPs. The kernel serves it. A SIP whose module the system manifest grants `processes`
    /// finds the importing end among its start-up endpoints under <c>/kernel/processes</c>
    /// (EndpointHandle.TryTakeStartup); no other SIP can obtain one. Holding the endpoint is the
    /// authority: the kernel acts for the SIP the endpoint was granted to (its principal), whoever
    /// holds it now, so forwarding it delegates that SIP's authority, and SIPs started through it
    /// are the principal's children.
    ///
    /// Each request gets exactly one reply. Start carries the module name followed by the
    /// arguments (ASCII) in one buffer, <c>moduleLength</c> bytes of it the name; the kernel keeps
    /// the buffer. List lends a buffer the kernel fills with SipInfo records (Kernel/Abi/SystemInfo.cs)
    /// and returns. Results are the former ABI's: a SIP id or a negative error (ProcessManagerWire).
    ///
    /// The kernel reads the layout from Kernel/Abi/ProcessManagerWire.cs (it cannot reference this
    /// assembly); Tests/Generator.Tests checks the two agree. A message the kernel cannot accept
    /// (an unknown tag, handles other than the contract's, a request while the reply queue is
    /// full) closes the kernel's end: that channel fails, nothing else.
    /// </summary>
    [Contract(Protocol = """
        closable state Ready: one {
            Start? -> Started! -> Ready;
            Wait? -> Waited! -> Ready;
            Kill? -> Killed! -> Ready;
            List? -> Listed! -> Ready;
        }
        """)]
    public partial interface ProcessManagerContract
    {
        [In] void Start(int moduleLength, ExBuffer text);
        [Out] void Started(int result);
        [In] void Wait(int id, long timeoutNs);
        [Out] void Waited(int result, int exitCode);
        [In] void Kill(int id);
        [Out] void Killed(int result);
        [In] void List(ExBuffer buffer);
        [Out] void Listed(int count, ExBuffer buffer);
    }
}
