namespace Singularity.Tests.Kernel;

/// <summary>
/// The attacks issue 12 reported, each by a verified SIP (Tests/TestSips/Hostile): each must fail
/// alone, with the bystander's output, the kernel and its memory untouched (HostileScenario).
/// </summary>
public class HostileKnownAttackTests
{
    /// <summary>Unless its error says otherwise, a probing mode ends by itself having seen every misuse refused.</summary>
    private static readonly AttackOutcome AllRefused = AttackOutcome.Exits(0, @" 0 unexpected$");

    [Fact]
    public void ObjectsOnTheMainStackSurviveCollectionsWithSixtyFiveThreads()
    {
        HostileScenario.Named("gc roots with 65 threads")
            .Attack("hostile gcroots", AttackOutcome.Exits(0, "objects on the main thread's stack intact after 20 collections"))
            .AttackLimit(100).Timeout(TimeSpan.FromSeconds(45))
            .Run()
            .FailedAlone();
    }

    [Fact]
    public void ConcatOfLengthsPastTwoToThe32IsRefused()
    {
        HostileScenario.Named("concat overflow")
            .Attack("hostile concat", AttackOutcome.Exits(0, @"caught System\.(OverflowException|OutOfMemoryException)"))
            .AttackLimit(100).Timeout(TimeSpan.FromSeconds(45))
            .Run()
            .FailedAlone();
    }

    /// <summary>
    /// A SIP recurses to the edge of its stack and calls into the kernel: the overflow must come in
    /// the SIP's own code ("at kernel:..." would be kernel code run out of the SIP's stack).
    /// </summary>
    [Fact]
    public void KernelCallsWithANearlyFullStackOverflowOnlyInTheSip()
    {
        var overflowInSip = AttackOutcome.Fails(@"^stack overflow at (?!kernel:)");
        var scenario = HostileScenario.Named("kernel calls at the stack's edge");
        foreach (string api in new[] { "sleep", "yield", "event", "exchange", "channel", "select", "names", "process", "write", "info" })
            scenario.Attack("hostile stackedge " + api, overflowInSip);
        scenario.AttackLimit(150).Timeout(TimeSpan.FromSeconds(90)).Run().FailedAlone();
    }

    [Fact]
    public void AMessageFrameWithForgedOffsetsStaysInsideItsData()
    {
        HostileScenario.Named("forged message frame")
            .Attack("hostileforger frame", AllRefused)
            .AttackLimit(100).Timeout(TimeSpan.FromSeconds(45))
            .Run()
            .FailedAlone();
    }
}
