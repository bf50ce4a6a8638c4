using System;
using System.Runtime;

namespace Singularity.Runtime
{
    /// <summary>
    /// Throwing inside a SIP. Until the runtime has an unwinder, every throw is an unhandled
    /// exception: the SIP fails, naming the exception and the method that threw.
    /// </summary>
    internal static unsafe class ExceptionSupport
    {
        [RuntimeExport("sip_throw")]
        public static void Throw(object exception, ulong throwSite)
        {
            Exception e = exception as Exception;
            string what = e != null ? e.TypeName + ": " + e.Message : "a thrown object that is not an Exception";
            KernelCalls.Fail("unhandled exception " + what, throwSite);
        }

        [RuntimeExport("RhpRethrow")]
        public static void Rethrow() => KernelCalls.Fail("rethrow without an unwinder", 0);

        [RuntimeExport("RhpFallbackFailFast")]
        public static void FailFast() => KernelCalls.Fail("runtime fail-fast", 0);

        [RuntimeExport("RhpInitialDynamicInterfaceDispatch")]
        public static void InitialDynamicInterfaceDispatch() =>
            KernelCalls.Fail("interface dispatch through a dispatch cell is not implemented yet", 0);
    }
}
