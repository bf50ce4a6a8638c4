using System.Text.RegularExpressions;

namespace Singularity.Tests.Kernel;

/// <summary>
/// The exchange heap's quarantine (Kernel/Kernel/Ipc/ExchangeQuarantine.cs, docs/channels.md
/// "Exchange heap"): an access to a block is a check of its header and then a load or store with no count
/// and no kernel call, so a thread the timer stops in between would, when it runs again, store
/// into memory its SIP has meanwhile sent. The SIP (Tests/TestSips/Quarantine, the ownership
/// analyzer off) sends a block each time its writer thread has been stopped in the middle of its
/// writes into it, many times, to a receiver SIP that checks every byte of what it got: none may
/// carry the writer's pattern. The sender's later access fails it alone, and once it is gone the
/// kernel's memory, the exchange heap included, is exactly where it was.
/// </summary>
public class ExchangeQuarantineTests
{
    [Fact]
    public void AThreadStoppedInsideAWriteNeverReachesABlockItsSipSent()
    {
        var r = HostileScenario.Named("exchange quarantine")
            .Grant("quarantine name=/test/quarantine")
            .AlsoAtBoot("quarantine")                   // the receiver, part of the baseline
            .ThenConsole("ps", "quarantine")            // a fresh baseline once it runs
            .Attack("quarantine sender 100", AttackOutcome.Fails(
                @"^unhandled exception System\.InvalidOperationException: this SIP does not own the exchange block",
                @"quarantine sender: 100 blocks sent while the writer was stopped in them, [1-9]\d* writes refused, exchange bytes owned 0",
                "quarantine sender: touching the last block sent"))
            .AttackLimit(900).Timeout(TimeSpan.FromSeconds(420))
            .Run();
        // Parked blocks go with the SIP: nothing of it stays (its record included).
        r.KernelHeapAllowance = 0;
        r.ChildRecordAllowance = 0;
        r.FailedAlone();
        r.Log.DoesNotContain("accounting: ");
        r.Log.DoesNotContain("quarantine sender: FAILED");
        var report = Regex.Match(r.Log.Serial, @"quarantine receiver: (\d+) blocks checked, (\d+) touched by the sender");
        r.Log.Check(report.Success, "the receiver did not report the blocks it checked");
        r.Log.Check(report.Groups[1].Value == "100", $"the receiver checked {report.Groups[1].Value} blocks, not the 100 sent");
        r.Log.Check(report.Groups[2].Value == "0", $"{report.Groups[2].Value} blocks the receiver owned were written by the sender's stopped thread");
    }
}
