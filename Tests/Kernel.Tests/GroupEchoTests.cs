namespace Singularity.Tests.Kernel;

/// <summary>
/// One service serves 64 clients at once over one tracked endpoint collection (issue 16): four
/// client SIPs open 16 channels each and keep a Ping in flight on every one; the service holds all
/// 64 in one EndpointGroup, waits on them and its listener together, and answers each. Every
/// payload comes back intact and every client ends politely. Fixture: Tests/TestSips/GroupEcho.
/// </summary>
public class GroupEchoTests
{
    [Fact]
    public void OneServiceServes64ClientsFromOneEndpointGroup()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            Grants = new[] { "groupecho name=/test/group" },
            Sips = new[]
            {
                "groupecho server /test/group 64",
                "groupecho client /test/group 16 3 1",
                "groupecho client /test/group 16 3 2",
                "groupecho client /test/group 16 3 3",
                "groupecho client /test/group 16 3 4",
            },
            StopWhen = "sip groupecho#1 exited",
            Timeout = TimeSpan.FromSeconds(240),
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        boot.DoesNotContain("FAILED");
        for (int id = 1; id <= 4; id++) boot.Contains("groupecho: client " + id + " got 48 of 48 pongs intact");
        boot.Contains("groupecho: served 64 clients, 192 pings, 64 connected at once");
        boot.Contains("sip groupecho#1 exited with code 0");
    }
}
