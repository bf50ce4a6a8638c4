namespace Singularity.Tests.Kernel;

/// <summary>
/// The accounting attacks of issue 13 (Tests/TestSips/Hostile, mode `bomb`): each takes one kind
/// of kernel resource until refused, and must end refused or failed with the kernel, the console
/// and the bystander (which makes a new channel and a new exchange block every round) unaffected
/// and the kernel's memory back at its baseline exactly once the attacker is gone.
/// </summary>
public class HostileAccountingTests
{
    private static HostileResult Exact(HostileResult r)
    {
        r.KernelHeapAllowance = 0;
        r.ChildRecordAllowance = 0;
        return r.FailedAlone();
    }

    [Fact]
    public void ASpawnBombIsRefusedAndEndsWithItsRoot()
    {
        Exact(HostileScenario.Named("spawn bomb")
            .Attack("hostile bomb spawn", AttackOutcome.Holds(@"holding: started \d+ SIPs"))
            .AttackLimit(600).Timeout(TimeSpan.FromSeconds(240))
            .Run());
    }

    [Fact]
    public void AChannelFloodCountsAgainstTheSendersExchangeQuota()
    {
        Exact(HostileScenario.Named("channel flood")
            .Attack("hostile bomb flood", AttackOutcome.Holds(@"holding: \d+ KiB queued"))
            .AttackLimit(600).Timeout(TimeSpan.FromSeconds(240))
            .Run());
    }

    [Fact]
    public void AHundredThousandChannelsCreatedAndClosedLeaveNothingBehind()
    {
        Exact(HostileScenario.Named("channel churn")
            .Attack("hostile bomb churn", AttackOutcome.Exits(0, @"100000 channels created and closed in \d+ ms: ok", @" 0 unexpected$"))
            .AttackLimit(1200).Timeout(TimeSpan.FromSeconds(240))
            .Run());
    }

    [Fact]
    public void AnExchangeSlotBombStaysWithinItsBlockGrant()
    {
        Exact(HostileScenario.Named("slot bomb")
            .Attack("hostile bomb slots", AttackOutcome.Holds(@"holding: \d+ one-byte blocks"))
            .AttackLimit(600).Timeout(TimeSpan.FromSeconds(240))
            .Run());
    }

    [Fact]
    public void AThreadBombsStacksAreChargedAndRefused()
    {
        Exact(HostileScenario.Named("thread bomb")
            .Attack("hostile bomb threads", AttackOutcome.Holds(@"holding: \d+ threads"))
            .AttackLimit(600).Timeout(TimeSpan.FromSeconds(240))
            .Run());
    }

    [Fact]
    public void AManifestAskingFor4096MiBGetsWhatTheSystemGrants()
    {
        var r = Exact(HostileScenario.Named("greedy manifest granted")
            .Attack("hostilegreedy", AttackOutcome.Fails(@"^heap quota exceeded", @"hostilegreedy#\d+: heap quota 16 MiB; taking memory"))
            .Run());
    }
}
