using System.Globalization;

namespace Singularity.Tests.Kernel;

/// <summary>Channels, the exchange heap, the name service and the supervisor, between real SIPs.</summary>
public class ChannelTests
{
    private const string Server = "channels server";

    /// <summary>The system manifest's grant of the echo server's name (docs/security.md).</summary>
    internal const string EchoServerGrant = "channels name=/service/echo";
    private static readonly string[] EchoGrants = { EchoServerGrant };

    [Fact]
    public void PingPongSurvivesTheCrashOfAnUnrelatedSip()
    {
        BootAssert.Boot(new BootOptions { CommandLine = "", Grants = EchoGrants, Sips = new[] { Server, "channels client 300 pace=2", "faulter nullderef" }, StopWhen = "sip channels#2 exited" })
            .Exited(QemuExit.StoppedByHarness)
            .InOrder("sip faulter#3 failed: null dereference", "echo client: 300 round trips ok, 0 rebinds, exchange bytes owned 0")
            .DoesNotContain("FAILED");
    }

    [Fact]
    public void ClientSeesChannelClosedThenRebindsToTheRestartedServer()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            Grants = EchoGrants,
            Sips = new[] { "supervisor max=3 backoff=50 -- channels server crashafter=50", "channels client 80" },
            Script = new[] { new ScriptStep("80 round trips ok", "mem\n") },
            StopWhen = " blocks",
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC").DoesNotContain("FAILED");
        boot.InOrder("echo server: crashing after 50 pings", "echo client: ChannelClosed at seq 50; rebinding")
            .InOrder("supervisor: channels#3 failed; restart 1 of 3 in 50 ms", "supervisor: started channels#4")
            .Contains("echo client: 80 round trips ok, 1 rebinds, exchange bytes owned 0");
        // The crashed server died holding the client's block: it was reclaimed, nothing is left.
        boot.Match(@"mem: .* exchange heap 0 bytes in 0 blocks");
    }

    [Fact]
    public void RestartArgsGiveARestartedServiceOtherArguments()
    {
        // The server crashes after 30 pings when started with crashafter=30; restarted with only
        // "server" (restart-args) it serves the rest: one restart, one rebind. Without the option
        // it would crash again at 60.
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            Grants = EchoGrants,
            Sips = new[] { "supervisor max=3 backoff=20 restart-args=server -- channels server crashafter=30", "channels client 80" },
            StopWhen = "echo client: 80 round trips ok",
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC").DoesNotContain("FAILED").DoesNotContain("usage");
        boot.InOrder("echo server: crashing after 30 pings", "failed; restart 1 of 3 in 20 ms")
            .Contains("echo client: 80 round trips ok, 1 rebinds")
            .DoesNotContain("restart 2 of 3");
    }

    /// <summary>A system manifest (boot module `system.manifest`) written for one test.</summary>
    private static string SystemManifest(string test, string text)
    {
        string dir = Path.Combine(QemuRunner.RepoRoot, "artifacts", "test-manifests", test);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "system.manifest");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void TheSystemManifestSetsTheRestartPolicy()
    {
        // The supervisor and the server are not started as boot modules (sips= names only the
        // client): the system manifest starts the supervisor with the service and its policy.
        string manifest = SystemManifest(nameof(TheSystemManifestSetsTheRestartPolicy),
            "# services under supervision\n" +
            "service channels server crashafter=30 restart=2 backoff=40\n" +
            "service bogus restart=lots\n" +
            "this line is not a service\n" +
            "grant " + EchoServerGrant + "\n");
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "sips=channels",
            Sips = new[] { "supervisor", "channels client 70" },
            Modules = new[] { manifest },
            StopWhen = "echo client: 70 round trips ok",
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC").DoesNotContain("FAILED");
        boot.Contains("system manifest: supervisor#2 runs 'max=2 backoff=40 -- channels server crashafter=30'")
            .Contains("system manifest: line 3 has a bad value in 'restart=lots'; skipped")
            .Contains("system manifest: line 4 is not 'service MODULE [ARGUMENTS] [restart=N] [backoff=MS]' or 'grant MODULE RIGHTS...'; skipped")
            .InOrder("echo server: crashing after 30 pings", "supervisor: channels#3 failed; restart 1 of 2 in 40 ms")
            .InOrder("supervisor: channels#4 failed; restart 2 of 2 in 80 ms", "echo client: 70 round trips ok, 2 rebinds");
    }

    [Fact]
    public void SupervisorGivesUpAfterItsMaximumRestarts()
    {
        // The faulter module is loaded but started only by the supervisor.
        BootAssert.Boot(new BootOptions { CommandLine = "sips=supervisor", Sips = new[] { "supervisor max=2 backoff=10 -- faulter nullderef", "faulter" }, StopWhen = "giving up" })
            .Exited(QemuExit.StoppedByHarness)
            .Contains("supervisor: faulter#2 failed; restart 1 of 2 in 10 ms")
            .Contains("supervisor: faulter#3 failed; restart 2 of 2 in 20 ms")
            .Contains("supervisor: faulter failed 3 times; giving up");
    }

    [Fact]
    public void SupervisorRestartsANormalExitWhenToldTo()
    {
        // nop returns 0 at once: with exits=restart each exit is restarted on the failure count and
        // back-off; a bad exits= value is refused by the supervisor and by the system manifest.
        string manifest = SystemManifest(nameof(SupervisorRestartsANormalExitWhenToldTo),
            "service nop restart=2 backoff=10 exits=restart\n" +
            "service nop exits=sometimes\n");
        BootAssert.Boot(new BootOptions
        {
            CommandLine = "sips=supervisor",
            Sips = new[] { "supervisor exits=maybe -- nop", "nop" },
            Modules = new[] { manifest },
            StopWhen = "giving up",
        })
            .Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC")
            .Contains("supervisor: exits= takes 'stop' or 'restart', not 'maybe'")
            .Contains("system manifest: line 2 has a bad value in 'exits=sometimes' (exits=restart or exits=stop); skipped")
            .Contains("runs 'max=2 backoff=10 exits=restart -- nop'")
            .InOrder("exited with code 0; restart 1 of 2 in 10 ms", "exited with code 0; restart 2 of 2 in 20 ms")
            .InOrder("exited with code 0; restart 2 of 2 in 20 ms", "supervisor: nop ended 3 times; giving up")
            .DoesNotContain("not restarting");
    }

    [Fact]
    public void SipThatDiesHoldingBlocksLeaksNothing()
    {
        BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            Sips = new[] { "channels holder" },
            Script = new[] { new ScriptStep("sip channels#1 failed", "mem\n") },
            StopWhen = " blocks",
        }).Exited(QemuExit.StoppedByHarness)
            .InOrder("holder: holding 512 KiB of exchange heap", "sip channels#1 failed: null dereference")
            .Contains("exchange heap 0 bytes in 0 blocks");
    }

    [Fact]
    public void FloodingSenderIsHeldBackByTheBoundedQueue()
    {
        BootAssert.Boot(new BootOptions { CommandLine = "shutdown", Sips = new[] { "channels flood" } })
            .Exited(QemuExit.Success)
            .Contains("flood: held back after 16 messages")
            .Contains("flood: after one receive, send returned Ok");
    }

    [Fact]
    public void EndpointSentInsideAMessageWorksOnTheFarSide()
    {
        BootAssert.Boot(new BootOptions { CommandLine = "", Grants = EchoGrants, Sips = new[] { Server, "channels carry" }, StopWhen = "sip channels#2 exited" })
            .Exited(QemuExit.StoppedByHarness)
            .Contains("carry: reply 4242 over the carried endpoint; then ChannelClosed");
    }

    [Fact]
    public void ReceiveWithTimeoutTimesOutAndClosedPeerIsSeen()
    {
        var boot = BootAssert.Boot(new BootOptions { CommandLine = "shutdown", Sips = new[] { "channels timeout" } }).Exited(QemuExit.Success);
        long ms = long.Parse(boot.Match(@"timeout: receive returned TimedOut after (\d+) ms").Groups[1].Value, CultureInfo.InvariantCulture);
        boot.Check(ms >= 50 && ms < 1000, $"the 50 ms receive timeout took {ms} ms");
        boot.Contains("timeout: after the peer closed, receive returned ChannelClosed");
    }

    [Fact]
    public void CallAndReplyAndReceiveHandTheCpuBackAndForthAndSeeAServerThatDiedWhileTheClientWaited()
    {
        // The client makes each round trip with one Call, the server answers with ReplyAndReceive:
        // the fast path (docs/channels.md "Fast path"). The server crashes holding the client's
        // block after 40 pings while the client waits in Call: the client sees ChannelClosed,
        // rebinds to the restarted server and finishes; nothing is left in the exchange heap.
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "",
            Grants = EchoGrants,
            Sips = new[] { "supervisor max=3 backoff=20 restart-args=server -- channels server crashafter=40", "channels client 100 call" },
            Script = new[] { new ScriptStep("100 round trips ok", "mem\n") },
            StopWhen = " blocks",
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC").DoesNotContain("FAILED");
        boot.InOrder("echo server: crashing after 40 pings", "echo client: ChannelClosed at seq 40; rebinding")
            .Contains("echo client: 100 round trips ok, 1 rebinds, exchange bytes owned 0");
        boot.Match(@"mem: .* exchange heap 0 bytes in 0 blocks");
    }

    [Fact]
    public void ReplyAndReceiveRefusesStaleHandlesClosedPeersAndBlocksNotOwned()
    {
        var boot = BootAssert.Boot(new BootOptions { CommandLine = "", Sips = new[] { "channels fastpath" }, StopWhen = "fastpath: done" })
            .Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        foreach (string probe in new[]
        {
            "stale reply handle", "reply to a closed peer", "reply carrying a freed block", "reply carrying one block twice",
            "receive set with a closed handle", "a receive set of none or over 128 refused, its reply not sent",
            "reply received in the same call", "block touched after its reply left", "the sent block arrived",
            "a kept registration delivers only to its own endpoint", "round trips while the endpoint array is rewritten",
            "send of one freed block refused, nothing queued", "one sent block stale for the sender, whole for the receiver",
            "one endpoint sent arrives and works", "a send to an end in flight waits in its queue", "a full queue holds the sender back; the ring keeps its order",
            "send to a closed peer keeps its block", "handle 0 names no endpoint",
            "lean deliveries report their endpoint's index", "two blocks each way on the fast path arrive whole", "a late reply after a call timed out arrives whole",
            "a receiver waiting elsewhere gets no call for its old endpoint", "a message queued while the server runs is seen by its kept set",
            "a call on a handle given away is refused", "a reply on a handle given away is refused, never delivered to its far end",
            "a reply kept over two endpoints, then a wait on one: the reply over two sees the second's message",
            "a sender held back by a full queue goes on at a receive",
            "handles go by the count: two read back, none past it, no fifth",
            "SetBlock leaves the message one handle, the block given",
            "an in-place call gets its reply in the request; a refused one leaves it",
            "an in-place reply-and-receive sends the message and receives the next into it",
        })
            boot.Contains("fastpath: " + probe + " ok");
        boot.Contains("fastpath: done, 0 wrong").DoesNotContain("WRONG");
    }

    /// <summary>
    /// The fast path checks a block handle with one compare of its upper half against the slot's
    /// key (kind and generation) and one of the owner (docs/channels.md "Lean blocks"): a forged
    /// kind or generation, another slot, a block twice or a freed block, in a Call to a waiting
    /// server or a reply to a waiting client, is BadMessage and delivers nothing.
    /// Test SIP: Tests/TestSips/HostileForger/ForgedFastPath.cs (unverified: it forges handles).
    /// </summary>
    [Fact]
    public void TheFastPathRefusesForgedBlockHandles()
    {
        var boot = BootAssert.Boot(new BootOptions { CommandLine = "", Sips = new[] { "hostileforger fastpath" }, StopWhen = " unexpected" })
            .Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        foreach (string probe in new[]
        {
            "forged block handles in a Call to a waiting server: all BadMessage (8 of 8)",
            "forged block handles in a reply to a waiting client: all BadMessage (6 of 6), then the real reply",
            "this SIP's block made a real round trip, whole", "the server received only the two real requests, one block",
            "no exchange memory left owned",
        })
            boot.Contains("fastpath: " + probe + ": ok");
        boot.DoesNotContain("UNEXPECTED").Match(@"fastpath: \d+ probes, 0 unexpected");
    }
}
