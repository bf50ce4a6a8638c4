using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionHandling;

namespace Singularity.Runtime
{
    /// <summary>
    /// The SIP runtime's side of exception handling. Dispatch itself (unwinding, try/catch/
    /// finally, filters) is the core library's; here: registering where the kernel sends a CPU
    /// fault in SIP code, and ending the SIP when an exception is not caught.
    /// </summary>
    /// <unsafe>Entry points asm/exceptions.asm and the kernel reach: Dispatch and DispatchFault forward
    /// the register context asm saved on the thread's stack to the core library's dispatcher;
    /// Initialize tells the kernel where a CPU fault in SIP code continues (the address of asm
    /// eh_throw_hw); Unhandled reads the throw site's Rip and the exception's own stack trace (at most
    /// 32 addresses are passed on), and runs the SIP's TypeName/Message inside a try/catch; FailFast
    /// and InterfaceDispatchFailed end the SIP.</unsafe>
    internal static unsafe class ExceptionSupport
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "eh_throw_hw_address")]
        private static extern ulong FaultEntryAddress();

        /// <summary>From now on a null dereference or divide error in this SIP's code is an exception.</summary>
        public static void Initialize() => KernelCalls.Abi->SetFaultEntry(FaultEntryAddress());

        [RuntimeExport("rt_unhandled_exception")]
        public static void Unhandled(object exception, RegContext* throwSite, ulong vector, ulong faultAddress, ulong errorCode)
        {
            Exception e = exception as Exception;
            string reason;
            if (vector == 14)
                reason = "null dereference (page fault at 0x" + Number.FormatHex(faultAddress, 1) + ")";
            else if (vector == 0)
                reason = "#DE divide error";
            else if (e != null)
                reason = "unhandled exception " + Describe(e);
            else
                reason = exception == null ? "rethrow outside a catch" : "unhandled exception (a thrown object that is not an Exception)";
            ulong[] trace = e != null ? e._stackTrace : null;
            if (trace == null || trace.Length == 0)
            {
                trace = new ulong[1];
                trace[0] = throwSite->Rip;
            }
            KernelCalls.Fail(reason, trace);
        }

        // TypeName and Message may be the SIP's own overrides: one that throws must not take the
        // report with it (its exception is caught here; one that recurses for ever overflows the
        // SIP's stack, which fails the SIP all the same).
        private static string Describe(Exception e)
        {
            try
            {
                return e.TypeName + ": " + e.Message;
            }
            catch (Exception)
            {
                return "(its TypeName or Message threw)";
            }
        }

        // The entries asm/exceptions.asm calls (see ExceptionDispatcher.Dispatch).
        [RuntimeExport("eh_dispatch")]
        public static void Dispatch(object exception, RegContext* throwSite, int rethrow) =>
            ExceptionDispatcher.Dispatch(exception, throwSite, rethrow);

        [RuntimeExport("eh_dispatch_hw")]
        public static void DispatchFault(ulong vector, ulong rip, ulong faultAddress, ulong errorCode, RegContext* faultSite) =>
            ExceptionDispatcher.DispatchFault(vector, rip, faultAddress, errorCode, faultSite);

        [RuntimeExport("RhpFallbackFailFast")]
        public static void FailFast() => KernelCalls.Fail("runtime fail-fast", 0);

        // The core library's interface dispatch found no method for a call (a case it does not
        // model, such as a default interface method or a variant interface): the SIP ends.
        [RuntimeExport("rt_resolve_interface_call")]
        public static void* ResolveInterfaceCall(Internal.Runtime.MethodTable* type, ulong* cell) =>
            Internal.Runtime.InterfaceDispatch.Resolve(type, cell);

        [RuntimeExport("rt_interface_dispatch_failed")]
        public static void InterfaceDispatchFailed() =>
            KernelCalls.Fail("an interface call could not be resolved (default interface methods and variance are not supported)", 0);
    }
}
