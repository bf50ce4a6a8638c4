using System.Runtime;
using System.Runtime.CompilerServices;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.IO.Drivers;
using Singularity.Kernel.Loader;
using Singularity.Kernel.Processes;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel.Tests
{
    /// <summary>
    /// The kernel's half of the interrupt-latency benchmark (`test=bench-irq`, docs/benchmarks.md):
    /// the interrupt stub of this image records the TSC as an interrupt arrives (interrupts.asm,
    /// test image only); this probe, in front of the I/O layer's device-interrupt handler, sums that
    /// stamp for every interrupt on the benchmark's line, skipping the first WarmUp. The driver
    /// SIP (Tests/TestSips/DriverBench) sums the TSC at each return from InterruptLine.Wait for the
    /// same interrupts; Tests/bench subtracts the sums. Nothing of this is in the production image,
    /// and the production ABI is unchanged: the stamps leave the kernel only as a log line.
    /// </summary>
    internal static unsafe class InterruptLatencyProbe
    {
        private const int Line = 8;                 // the RTC's periodic interrupt
        private const int WarmUp = 8;               // as DriverBench's: not summed

        private static ulong s_arrivals;
        private static ulong s_sum;

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "irq_arrival_tsc")]
        private static extern ulong ArrivalTsc();

        /// <summary>Starts the `driverbench` boot module with the probe in place, waits for its end and prints the arrivals' sum.</summary>
        public static void Run()
        {
            if (!BootModules.Find("driverbench", out byte* image, out ulong size))
            {
                Log.WriteLine("bench irq-arrivals: skipped (no 'driverbench' boot module)");
                return;
            }
            InterruptDispatcher.SetDeviceIrqHandler(&OnInterrupt);
            Sip sip = SipLoader.Start("driverbench", "", image, size, SipQuota.Default(16 * 1024 * 1024), CpuGrant.Default, null, out string error, keepRecord: true);
            if (sip == null) { Log.Write("bench: could not start driverbench: "); Log.WriteLine(error); return; }
            Cpu.DisableInterrupts();
            if (sip.IsAlive) Scheduler.Block(sip.ExitWaiters, 0);
            Cpu.EnableInterrupts();
            InterruptDispatcher.SetDeviceIrqHandler(&InterruptObjects.OnInterrupt);
            ulong counted = s_arrivals > WarmUp ? s_arrivals - WarmUp : 0;
            Log.Write("bench irq-arrivals: count "); Log.WriteDecimal(counted);
            Log.Write(" sum "); Log.WriteDecimal(s_sum); Log.WriteLine();
        }

        // Interrupts off, before the EOI (InterruptDispatcher): the stamp is this interrupt's.
        private static void OnInterrupt(int line)
        {
            if (line == Line)
            {
                ulong arrived = ArrivalTsc();
                if (s_arrivals >= WarmUp) s_sum += arrived;
                s_arrivals++;
            }
            InterruptObjects.OnInterrupt(line);
        }
    }
}
