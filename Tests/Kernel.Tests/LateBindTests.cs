namespace Singularity.Tests.Kernel;

/// <summary>
/// A client that starts before its service (issue 15): the generated waiting bind
/// (`EchoContract.Bind(name, out imp, timeoutMs)`) succeeds once the service registers the name,
/// a second later, and the two talk over the contract. Fixture: Tests/TestSips/LateBinder.
/// </summary>
public class LateBindTests
{
    [Fact]
    public void AClientStartedBeforeItsServiceBindsOnceTheServiceRegisters()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            Grants = new[] { "latebinder name=/test/late" },
            Sips = new[] { "latebinder client /test/late", "latebinder service /test/late" },
            StopWhen = "sip latebinder#1 exited",
            Timeout = TimeSpan.FromSeconds(120),
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        boot.InOrder("latebinder: client binding /test/late", "latebinder: service registered /test/late");
        boot.InOrder("latebinder: service registered /test/late", "latebinder: client bound /test/late");
        boot.InOrder("latebinder: client bound /test/late", "latebinder: client got pong 7");
        boot.DoesNotContain("gave up");
        boot.Contains("sip latebinder#1 exited with code 0");
    }
}
