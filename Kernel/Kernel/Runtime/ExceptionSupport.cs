using System;
using System.Runtime;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;

namespace Singularity.Kernel.Runtime
{
    /// <summary>
    /// What ilc's code calls when it throws. The kernel has no unwinder yet, so a throw in the
    /// kernel is a panic that names the exception and where it was thrown.
    /// </summary>
    internal static unsafe class ExceptionSupport
    {
        [RuntimeExport("RhpThrowEx")]
        public static void ThrowEx(object exception)
        {
            Panic.Begin("unhandled exception in the kernel");
            Exception e = exception as Exception;
            Log.Write("    ");
            if (e != null) { Log.Write(e.TypeName); Log.Write(": "); Log.WriteLine(e.Message); }
            else Log.WriteLine("(a thrown object that is not an Exception)");
            Panic.End();
        }

        [RuntimeExport("RhpRethrow")]
        public static void Rethrow() => Panic.Halt("rethrow without an unwinder");

        [RuntimeExport("RhpFallbackFailFast")]
        public static void FailFast() => Panic.Halt("runtime fail-fast");

        [RuntimeExport("RhpInitialDynamicInterfaceDispatch")]
        public static void InitialDynamicInterfaceDispatch() =>
            Panic.Halt("interface dispatch through a dispatch cell is not implemented yet");
    }
}
