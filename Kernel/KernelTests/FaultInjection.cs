using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Console;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.Tests
{
    internal enum InjectedFault : byte { None, NullDereference, Throw, ProtocolViolation, Hang }

    /// <summary>
    /// The test hook of the fault-isolation suites (test image only): `inject SIP KIND` on the debug console marks
    /// a SIP, and the fault lands when one of its threads next gets the CPU. The SIP then fails
    /// exactly as if its own code had faulted (its channels close, its memory returns); a hang
    /// leaves it alive but never runs it again, so only timeouts and supervisors notice.
    /// </summary>
    internal static unsafe class FaultInjection
    {
        /// <summary>Registers the `inject` command and the scheduler's resume hook (TestModule.Register).</summary>
        public static void Register()
        {
            DebugConsole.AddCommand("inject", "inject <sip> nullderef|throw|protocol|hang", &Command);
            Scheduler.SetResumeHook(&Apply);
        }

        // `inject SIP KIND`.
        private static void Command(string args)
        {
            int space = args.IndexOf(' ');
            if (space < 0) { Log.WriteLine("inject: no such running SIP"); return; }
            string spec = args.Substring(0, space), kind = args.Substring(space + 1);
            // Interrupts off: the SIP's record cannot be freed between the look-up and the arming.
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            Sip sip = DebugConsole.FindLive(spec);
            if (sip == null) Log.WriteLine("inject: no such running SIP");
            else if (!TryParse(kind, out InjectedFault fault)) Log.WriteLine("inject: unknown fault kind (nullderef, throw, protocol, hang)");
            else Arm(sip, fault);
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            DebugConsole.FreeString(spec);
            DebugConsole.FreeString(kind);
        }

        public static bool TryParse(string kind, out InjectedFault fault)
        {
            fault = kind switch
            {
                "nullderef" => InjectedFault.NullDereference,
                "throw" => InjectedFault.Throw,
                "protocol" => InjectedFault.ProtocolViolation,
                "hang" => InjectedFault.Hang,
                _ => InjectedFault.None,
            };
            return fault != InjectedFault.None;
        }

        /// <summary>Arms a fault; it is applied at the SIP's next scheduling point.</summary>
        public static void Arm(Sip sip, InjectedFault fault)
        {
            sip.PendingFault = (byte)fault;
            Log.Write("inject: "); Log.Write(sip.Name); Log.Write("#"); Log.WriteDecimal((ulong)sip.Id);
            Log.Write(" will fail ("); Log.Write(Name(fault)); Log.WriteLine(") at its next scheduling point");
        }

        /// <summary>Runs on a thread of the marked SIP as it resumes; does not return unless the fault is a hang.</summary>
        public static void Apply(Thread t)
        {
            Sip sip = Sip.Of(t);
            InjectedFault fault = (InjectedFault)sip.PendingFault;
            sip.PendingFault = 0;
            if (fault == InjectedFault.None && sip.Hung) fault = InjectedFault.Hang;   // another thread of a hung SIP
            switch (fault)
            {
                case InjectedFault.Hang:
                    if (!sip.Hung)
                    {
                        sip.Hung = true;
                        Log.Write("sip "); Log.Write(sip.Name); Log.Write("#"); Log.WriteDecimal((ulong)sip.Id); Log.WriteLine(" hangs (injected)");
                    }
                    // Park this thread; MayRun keeps every thread of the SIP off the CPU from now on.
                    sip.Park(t);
                    t.State = ThreadState.Ready;
                    Scheduler.ParkCurrent();
                    return;
                case InjectedFault.NullDereference:
                    sip.Fail("null dereference (injected)", 0);
                    break;
                case InjectedFault.Throw:
                    sip.Fail("unhandled exception System.InvalidOperationException: injected", 0);
                    break;
                default:
                    sip.Fail("protocol violation (injected)", 0);
                    break;
            }
            Scheduler.LeaveDeadThread();
        }

        public static string Name(InjectedFault f) => f switch
        {
            InjectedFault.NullDereference => "nullderef",
            InjectedFault.Throw => "throw",
            InjectedFault.ProtocolViolation => "protocol",
            InjectedFault.Hang => "hang",
            _ => "none",
        };
    }
}
