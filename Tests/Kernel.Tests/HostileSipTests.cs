namespace Singularity.Tests.Kernel;

/// <summary>
/// The classes of attack a careful attacker tries on the trusted base, each a mode of the verified
/// SIP Tests/TestSips/Hostile: each must fail alone, with the bystander's output, the kernel and
/// its memory untouched (HostileScenario, docs/fault-isolation.md).
/// </summary>
public class HostileSipTests
{
    /// <summary>A probing mode ends by itself having seen every misuse refused with an error it could catch.</summary>
    private static readonly AttackOutcome AllRefused = AttackOutcome.Exits(0, @" 0 unexpected$");

    [Fact]
    public void HugeNegativeAndOverflowingSizesAreRefused()
    {
        HostileScenario.Named("sizes")
            .Attack("hostile sizes", AllRefused)
            .Attack("hostile overflow", AllRefused)
            .Run()
            .FailedAlone();
    }

    [Fact]
    public void ForgedAndStaleHandlesReachNothing()
    {
        HostileScenario.Named("handles")
            .Attack("hostile handles", AllRefused)
            // Guessed handle numbers need a forged private field, which the verifier refuses
            // (SV0112): an unverified attacker shows the kernel refuses them even then.
            .Attack("hostileforger handles", AllRefused)
            .Run()
            .FailedAlone();
    }

    [Fact]
    public void RacesBetweenThreadsOnRuntimeObjectsKeepOneOwner()
    {
        HostileScenario.Named("races")
            .Attack("hostile races ownership", AllRefused)
            .Attack("hostile races access", AllRefused)
            .Attack("hostile races gc", AllRefused)
            .Run()
            .FailedAlone();
    }

    [Fact]
    public void ReplyAndReceiveGivenBadSetsBadRepliesAndRunningAccessesFailsAlone()
    {
        // ABI 56 and 44: bad handles in the set, a freed or duplicate block, a closed peer, and
        // blocks another thread keeps accessing (the kernel's quarantine: a copy sent, the original parked).
        HostileScenario.Named("reply and receive")
            .Attack("hostile replyreceive", AllRefused)
            .Run()
            .FailedAlone();
    }

    [Fact]
    public void ExhaustionIsAnErrorForTheAttackerOnly()
    {
        HostileScenario.Named("exhaustion")
            // `handles` registers a name and `sips` starts children: both need grants (docs/security.md).
            .Grant("hostile processes name=/hostile/listener")
            .Attack("hostile exhaust channels", AllRefused)
            .Attack("hostile exhaust blocks", AllRefused)
            .Attack("hostile exhaust threads", AllRefused)
            .Attack("hostile exhaust handles", AllRefused)
            .Attack("hostile exhaust names", AllRefused)
            .Attack("hostile exhaust sips", AllRefused)
            .Attack("hostile exhaust recursion", AttackOutcome.Fails(@"^stack overflow at Hostile_Exhaustion__Recurse"))
            .Attack("hostile exhaust heap", AttackOutcome.Fails(@"^heap quota exceeded"))
            .Timeout(TimeSpan.FromSeconds(150))
            .Run()
            .FailedAlone();
    }

    [Fact]
    public void AManifestAskingForMoreMemoryThanTheMachineHasGetsAnErrorNotThePanic()
    {
        HostileScenario.Named("greedy manifest")
            .Attack("hostilegreedy", AttackOutcome.Fails(@"^heap quota exceeded"))
            .Run()
            .FailedAlone();
    }
}
