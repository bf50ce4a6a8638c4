using System.Runtime.InteropServices;

namespace System.Runtime.ExceptionHandling
{
    /// <summary>
    /// The registers that identify a frame and that an unwinder must restore to run code in it:
    /// the instruction and stack pointers and the callee-saved registers. The layout is shared
    /// with asm/exceptions.asm.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct RegContext
    {
        public ulong Rip, Rsp, Rbp, Rbx, R12, R13, R14, R15;
    }

    /// <summary>What a funclet runs for; stored in the FuncletFrame of a running funclet.</summary>
    internal enum FuncletKind { Catch, Filter, Finally }

    /// <summary>
    /// The dispatcher's record of a funclet it is running. eh_call_funclet leaves its address at
    /// the stack pointer of the call, so a later unwind that reaches the funclet's return address
    /// can continue in the parent frame (skipping the dispatcher's own frames) and can find the
    /// exception a `throw;` rethrows.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FuncletFrame
    {
        public RegContext Parent;       // the frame that owns the funclet
        public int ClauseIndex;         // the clause whose handler runs: outer clauses come after it
        public FuncletKind Kind;
        public bool ParentIsFaultSite;  // Parent.Rip is a faulting instruction, not a return address
        public object Exception;        // being handled (catch, filter); null for finally
    }
}
