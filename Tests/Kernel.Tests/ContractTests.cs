namespace Singularity.Tests.Kernel;

/// <summary>Generated contract endpoints (Singularity.Channels) on the kernel, in a real SIP.</summary>
public class ContractTests
{
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
    public void ProtocolViolationFailsTheSip()
    {
        BootAssert.Boot(new BootOptions { CommandLine = "shutdown", Sips = new[] { "contractping violation" } })
            .Exited(QemuExit.Success)
            .InOrder("contractping: sending Ping after Bye",
                     "sip contractping#1 failed: protocol violation: EchoContract.Imp: SendPing is not allowed in state End")
            .DoesNotContain("FAILED the violation went unnoticed");
    }
}
