using Singularity.Channels;

namespace Singularity.Contracts
{
    /// <summary>
    /// Serial input (docs/security.md, "Console input"), served by the kernel. A SIP whose module
    /// the system manifest grants `console-input` (the shell) finds the importing end among its
    /// start-up endpoints under <c>/kernel/console-input</c>; no other SIP can obtain one. Read
    /// lends a buffer; Input returns it with <c>count</c> bytes typed (0: the timeout passed; -1:
    /// another holder owns the input). The kernel reads the layout from
    /// Kernel/Abi/ConsoleInputWire.cs; Tests/Generator.Tests checks the two agree. Ctrl-] never
    /// arrives here: the rest of that line goes to the kernel debug console.
    /// </summary>
    [Contract(Protocol = """
        closable state Ready: Read? -> Input! -> Ready;
        """)]
    public partial interface ConsoleInputContract
    {
        [In] void Read(ExBuffer buffer, long timeoutNs);
        [Out] void Input(int count, ExBuffer buffer);
    }
}
