using System;
using System.Runtime;
using System.Runtime.ExceptionHandling;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;

namespace Singularity.Kernel.Runtime
{
    /// <summary>
    /// The kernel's side of exception handling. Dispatch (unwinding, try/catch/finally, filters)
    /// is the core library's; an exception the kernel does not catch is a panic.
    /// </summary>
    internal static unsafe class ExceptionSupport
    {
        [RuntimeExport("rt_unhandled_exception")]
        public static void Unhandled(object exception, RegContext* throwSite, ulong vector, ulong faultAddress, ulong errorCode)
        {
            if (vector != ExceptionDispatcher.NotAFault)
            {
                // A CPU fault nobody catches: report it as the fault it was.
                InterruptFrame f = default;
                f.Vector = vector;
                f.ErrorCode = errorCode;
                f.Rip = throwSite->Rip;
                f.Rsp = throwSite->Rsp;
                f.Rbp = throwSite->Rbp;
                f.Rbx = throwSite->Rbx;
                f.R12 = throwSite->R12; f.R13 = throwSite->R13; f.R14 = throwSite->R14; f.R15 = throwSite->R15;
                Panic.CpuException(&f, faultAddress);
                return;
            }
            Panic.Begin("unhandled exception in the kernel");
            Exception e = exception as Exception;
            Log.Write("    ");
            if (e != null) { Log.Write(e.TypeName); Log.Write(": "); Log.WriteLine(e.Message); }
            else if (exception == null) Log.WriteLine("rethrow outside a catch");
            else Log.WriteLine("(a thrown object that is not an Exception)");
            ulong[] trace = e != null ? e._stackTrace : null;
            if (trace != null && trace.Length > 0)
            {
                Log.WriteLine("    stack trace:");
                for (int i = 0; i < trace.Length; i++)
                {
                    Log.Write("      #"); Log.WriteDecimal((ulong)i); Log.Write(" "); Log.WriteHex(trace[i]);
                    Log.Write(" "); Symbols.WriteSymbol(trace[i]); Log.WriteLine();
                }
                Platform.Exit(Platform.ExitPanic);
            }
            Panic.End();
        }

        // The entries asm/exceptions.asm calls (see ExceptionDispatcher.Dispatch).
        [RuntimeExport("eh_dispatch")]
        public static void Dispatch(object exception, RegContext* throwSite, int rethrow) =>
            ExceptionDispatcher.Dispatch(exception, throwSite, rethrow);

        [RuntimeExport("eh_dispatch_hw")]
        public static void DispatchFault(ulong vector, ulong rip, ulong faultAddress, ulong errorCode, RegContext* faultSite) =>
            ExceptionDispatcher.DispatchFault(vector, rip, faultAddress, errorCode, faultSite);

        [RuntimeExport("RhpFallbackFailFast")]
        public static void FailFast() => Panic.Halt("runtime fail-fast");

        [RuntimeExport("rt_resolve_interface_call")]
        public static void* ResolveInterfaceCall(Internal.Runtime.MethodTable* type, ulong* cell) =>
            Internal.Runtime.InterfaceDispatch.Resolve(type, cell);

        [RuntimeExport("rt_interface_dispatch_failed")]
        public static void InterfaceDispatchFailed() =>
            Panic.Halt("an interface call in the kernel could not be resolved");
    }
}
