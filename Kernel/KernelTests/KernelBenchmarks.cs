using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Processes;
using Singularity.Kernel.Loader;

namespace Singularity.Kernel.Tests
{
    /// <summary>Kernel-side micro-benchmarks (`test=bench-spawn`), in TSC cycles (instructions under -icount).</summary>
    internal static unsafe class KernelBenchmarks
    {
        /// <summary>Creates, starts and waits for the exit of the `nop` boot module's SIP, many times.</summary>
        public static void SipSpawn()
        {
            if (!BootModules.Find("nop", out byte* image, out ulong size))
            {
                Log.WriteLine("bench sip-create-start-exit: skipped (no 'nop' boot module)");
                return;
            }
            const int Runs = 20;
            ulong total = 0;
            for (int i = 0; i < Runs + 2; i++)
            {
                ulong t0 = Cpu.ReadTsc();
                Sip sip = SipLoader.Start("nop", "", image, size, SipQuota.Default(1024 * 1024), CpuGrant.Default, null, out string error, keepRecord: true);
                if (sip == null) { Log.Write("bench: could not start nop: "); Log.WriteLine(error); return; }
                Cpu.DisableInterrupts();
                if (sip.IsAlive) Scheduler.Block(sip.ExitWaiters, 0);
                Cpu.EnableInterrupts();
                ulong t1 = Cpu.ReadTsc();
                if (i >= 2) total += t1 - t0;      // the first runs warm up the kernel heap
            }
            Log.Write("bench sip-create-start-exit: "); Log.WriteDecimal(total / Runs); Log.WriteLine(" instructions");
        }
    
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void Thrower(System.Exception e) => throw e;

        /// <summary>A throw caught one frame up, in kernel code (`test=bench-throw`): both dispatch passes.</summary>
        public static void ThrowCatch()
        {
            const int Runs = 1000;
            var e = new System.InvalidOperationException("bench");
            int caught = 0;
            for (int i = 0; i < 20; i++) { try { Thrower(e); } catch (System.InvalidOperationException) { caught++; } }
            ulong t0 = Cpu.ReadTsc();
            for (int i = 0; i < Runs; i++) { try { Thrower(e); } catch (System.InvalidOperationException) { caught++; } }
            ulong t1 = Cpu.ReadTsc();
            if (caught != Runs + 20) { Log.WriteLine("bench throw-catch-kernel: FAILED lost a catch"); return; }
            Log.Write("bench throw-catch-kernel: "); Log.WriteDecimal((t1 - t0) / Runs); Log.WriteLine(" instructions");
        }
    }
}
