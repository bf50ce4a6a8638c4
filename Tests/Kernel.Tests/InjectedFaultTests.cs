namespace Singularity.Tests.Kernel;

/// <summary>Fault-isolation scenarios built with the reusable FaultScenario API and the kernel's inject hook.</summary>
public class InjectedFaultTests
{
    [Fact]
    public void EchoSurvivesAnInjectedServerCrashThroughItsSupervisor()
    {
        FaultScenario.Named("echo survives an injected server crash")
            .Sips("supervisor max=3 backoff=50 -- channels server", "channels client 400 pace=1")
            .Grant(ChannelTests.EchoServerGrant)
            .WaitFor("echo client: 100 round trips")
            .Inject(FaultScenario.FromLog(@"supervisor: started (channels#\d+)"), FaultKind.NullDereference)
            .ThenWaitFor("echo client: 400 round trips ok")
            .Run()
            .NoKernelPanic()
            .SipFailed("channels", "null dereference (injected)")
            .Restarted("channels")
            .ExchangeHeapEmpty()
            .Log.Contains("echo client: 400 round trips ok, 1 rebinds, exchange bytes owned 0");
    }

    [Fact]
    public void InjectedThrowKillsOnlyItsSip()
    {
        var log = FaultScenario.Named("injected throw")
            .Sips("counter", "counter")
            .WaitFor("counter#2: 3")
            .Inject("2", FaultKind.Throw)
            .ThenWaitFor("counter#1: 15")
            .Run()
            .NoKernelPanic()
            .SipFailed("counter", "unhandled exception System.InvalidOperationException: injected")
            .KeptProgressing(@"^counter#1: \d+", 3)
            .Log;
        // The failed SIP prints nothing after its failure line (however late on a loaded host the
        // injection was typed: the counters run on guest time, the typing on the host's).
        int failed = log.Serial.IndexOf("sip counter#2 failed", StringComparison.Ordinal);
        log.Check(failed >= 0 && !System.Text.RegularExpressions.Regex.IsMatch(log.Serial[failed..], @"^counter#2: \d+", System.Text.RegularExpressions.RegexOptions.Multiline),
                  "counter#2 printed after it failed");
    }

    [Fact]
    public void InjectedProtocolViolationClosesThePeersChannel()
    {
        FaultScenario.Named("injected protocol violation")
            .Sips("channels server", "channels client 400 pace=1")
            .Grant(ChannelTests.EchoServerGrant)
            .WaitFor("echo client: 50 round trips")
            .Inject("1", FaultKind.ProtocolViolation)
            .ThenWaitFor("echo client: ChannelClosed")
            .Run()
            .NoKernelPanic()
            .SipFailed("channels", "protocol violation (injected)");
    }

    [Fact]
    public void HungSipStopsButOthersRunAndKillingItFreesEverything()
    {
        var result = FaultScenario.Named("injected hang")
            .Sips("counter", "counter")
            .WaitFor("counter#2: 3")
            .Inject("2", FaultKind.Hang)
            .ThenWaitFor("counter#1: 20")
            .Console("kill 2")
            .ThenWaitFor("sip counter#2 failed: killed from the debug console")
            .Run()
            .NoKernelPanic()
            .KeptProgressing(@"^counter#1: \d+", 5)
            .ExchangeHeapEmpty();
        result.Log.Contains("sip counter#2 hangs (injected)");
        // Nothing from the hung SIP after the hang took hold.
        int hung = result.Log.Serial.IndexOf("hangs (injected)", StringComparison.Ordinal);
        var after = SipTests.CounterValues(result.Log.Serial[hung..], 2);
        result.Log.Check(after.Count <= 1, $"the hung SIP printed {after.Count} more lines");
        result.Log.Match(@"mem: .* SIPs \d+ KiB in 1 live SIPs");
    }

    // Two threads of one SIP handing the CPU back and forth with Thread.Yield take the scheduler's
    // lean yield (Arch/x64/yield.asm) whenever the counter sleeps: they are resumed there, not in a
    // switch from C#, and an injected fault must still land at the next resume of one of them.
    [Fact]
    public void InjectedFaultLandsInASipWhoseThreadsOnlyYield()
    {
        FaultScenario.Named("injected fault while yielding")
            .Sips("counter", "cpuhog yield 2 pingpong")
            .WaitFor("cpuhog#2 pingpong: 10000 yields")
            .Inject("2", FaultKind.NullDereference)
            .ThenWaitFor("counter#1: 15")
            .Run()
            .NoKernelPanic()
            .SipFailed("cpuhog", "null dereference (injected)")
            .KeptProgressing(@"^counter#1: \d+", 3)
            .ExchangeHeapEmpty()
            .Log.Match(@"mem: .* SIPs \d+ KiB in 1 live SIPs");
    }

    // Kill of a SIP whose threads are in the middle of yielding to each other: both leave their
    // ready queue (or the CPU) for good, the bystander goes on, and nothing of the SIP is left.
    [Fact]
    public void KillingASipWhoseThreadsYieldFreesEverything()
    {
        var result = FaultScenario.Named("kill while yielding")
            .Sips("counter", "cpuhog yield 2 pingpong")
            .WaitFor("cpuhog#2 pingpong: 10000 yields")
            .Console("kill 2")
            .ThenWaitFor("sip cpuhog#2 failed: killed from the debug console")
            .ThenWaitFor("counter#1: 15")
            .Run()
            .NoKernelPanic()
            .ExchangeHeapEmpty();
        result.Log.Match(@"mem: .* SIPs \d+ KiB in 1 live SIPs");
        int killed = result.Log.Serial.IndexOf("sip cpuhog#2 failed", StringComparison.Ordinal);
        result.Log.Check(!System.Text.RegularExpressions.Regex.IsMatch(result.Log.Serial[killed..], @"cpuhog#2 pingpong: \d+ yields"),
                         "the killed SIP printed after it was killed");
    }
}
