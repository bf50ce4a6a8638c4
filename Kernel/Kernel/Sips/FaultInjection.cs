using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel
{
    internal enum InjectedFault : byte { None, NullDereference, Throw, ProtocolViolation, Hang }

    /// <summary>
    /// The test hook of the fault-isolation suites: `inject SIP KIND` on the debug console marks
    /// a SIP, and the fault lands when one of its threads next gets the CPU. The SIP then fails
    /// exactly as if its own code had faulted (its channels close, its memory returns); a hang
    /// leaves it alive but never runs it again, so only timeouts and supervisors notice.
    /// </summary>
    internal static class FaultInjection
    {
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
            sip.PendingFault = fault;
            Log.Write("inject: "); Log.Write(sip.Name); Log.Write("#"); Log.WriteDecimal((ulong)sip.Id);
            Log.Write(" will fail ("); Log.Write(Name(fault)); Log.WriteLine(") at its next scheduling point");
        }

        /// <summary>Runs on a thread of the marked SIP as it resumes; does not return unless the fault is a hang.</summary>
        public static void Apply(Thread t)
        {
            Sip sip = t.Owner;
            InjectedFault fault = sip.PendingFault;
            sip.PendingFault = InjectedFault.None;
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
