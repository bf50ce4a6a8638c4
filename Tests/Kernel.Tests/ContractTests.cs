namespace Singularity.Tests.Kernel;

/// <summary>Generated contract endpoints (Singularity.Channels) on the kernel, in a real SIP.</summary>
public class ContractTests
{
    /// <summary>The system manifest's grant of the typed echo service's name (docs/security.md).</summary>
    private static readonly string[] EchoGrants = { "echoservice name=/service/echo-typed" };

    [Fact]
    public void GeneratedEndpointsPingPongOverAChannelSentInAMessage()
    {
        BootAssert.Boot(new BootOptions { CommandLine = "shutdown", Sips = new[] { "contractping ping 200" } })
            .Exited(QemuExit.Success)
            .Contains("contractping: 200 round trips ok, state End, busy 0")
            .Contains("sip contractping#1 exited with code 0")
            .DoesNotContain("FAILED");
    }

    [Fact]
    public void AnUncaughtProtocolViolationFailsTheSip()
    {
        BootAssert.Boot(new BootOptions { CommandLine = "shutdown", Sips = new[] { "contractping violation" } })
            .Exited(QemuExit.Success)
            .InOrder("contractping: sending Ping after Bye",
                     "sip contractping#1 failed: unhandled exception Singularity.Channels.ProtocolViolationException: EchoContract.Imp: SendPing is not allowed in state End")
            .DoesNotContain("FAILED the violation went unnoticed");
    }

    [Fact]
    public void AProtocolViolationMeansOnTheKernelWhatItMeansHosted()
    {
        // The same steps and outcomes as Tests/Generator.Tests/SharedChannelBehaviourTests on the
        // hosted transport: the violator's endpoint is closed and the exception can be caught; a
        // closed endpoint refuses every use; the peer drains, then sees ChannelClosed; a send to a
        // closed peer is not an error and releases the block it carried.
        BootAssert.Boot(new BootOptions { CommandLine = "shutdown", Sips = new[] { "contractping caught" } })
            .Exited(QemuExit.Success)
            .DoesNotContain("FAILED")
            .InOrder("contractping: caught EchoContract.Imp: SendBye is not allowed in state Start#1; closed yes",
                     "contractping: caught EchoContract.Imp: use of a closed or sent endpoint (state Start#1)")
            .InOrder("contractping: caught EchoContract.Imp: use of a closed or sent endpoint (state Start#1)",
                     "contractping: the peer got Ping 1, then ChannelClosed")
            .InOrder("contractping: the peer got Ping 1, then ChannelClosed",
                     "contractping: send to a closed peer: ChannelClosed, exchange bytes back to before")
            .InOrder("contractping: caught done", "sip contractping#1 exited with code 0");
    }

    [Fact]
    public void ManifestEndpointsAreWiredAtStartUp()
    {
        // echoservice declares [Exports(EchoContract.Exp, "/service/echo-typed")], echoclient
        // [Imports(EchoContract.Imp, ...)]: neither registers nor binds anything itself.
        BootAssert.Boot(new BootOptions
        {
            CommandLine = "shutdown",
            Grants = EchoGrants, Sips = new[] { "echoservice", "echoclient ping 50" },
            StopWhen = "echoservice: client said Bye",
        }).DoesNotContain("FAILED")
            .InOrder("echoclient: 50 round trips over /service/echo-typed (wired at start-up)", "echoservice: client said Bye after 50 pings")
            .Contains("sip echoclient#2 exited with code 0");
    }

    [Fact]
    public void AProtocolViolatorInAnotherSipIsKilledAndItsPeerSeesChannelClosed()
    {
        BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            Grants = EchoGrants, Sips = new[] { "echoservice", "echoclient violate" },
            StopWhen = "echoservice: client channel closed",
        }).DoesNotContain("FAILED the violation went unnoticed").DoesNotContain("KERNEL PANIC")
            .InOrder("echoclient: sending a second Ping before the Pong",
                     "sip echoclient#2 failed: unhandled exception Singularity.Channels.ProtocolViolationException: EchoContract.Imp: SendPing is not allowed in state Start#1")
            // The violation closes the endpoint before the exception ends the SIP, so the service
            // may see the channel close before the kernel reports the failure.
            .InOrder("echoclient: sending a second Ping before the Pong", "echoservice: client channel closed (ChannelClosed) after 1 pings");
    }

    [Fact]
    public void ASecondExporterOfTheSameNameDoesNotStart()
    {
        BootAssert.Boot(new BootOptions { CommandLine = "", Grants = EchoGrants, Sips = new[] { "echoservice", "echoservice" }, StopWhen = "not started" })
            .Match(@"echoservice.*not started: export /service/echo-typed: the name is taken by a running service");
    }
}
