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
        r.FailedAlone();
        // Every charge was given back exactly as it was made (SipAccount logs a mismatch).
        r.Log.DoesNotContain("accounting: ");
        return r;
    }

    // What the attacker held while it held (the `mem` report taken then), against the baseline before it.
    private static (MemorySnapshot Before, MemorySnapshot During) Held(HostileResult r)
    {
        var run = r.Attacks[0];
        Assert.True(run.Before != null && run.During != null, "no memory report before the attacker or while it held");
        return (run.Before!, run.During!);
    }

    [Fact]
    public void ASpawnBombIsRefusedAndEndsWithItsRoot()
    {
        var r = Exact(HostileScenario.Named("spawn bomb")
            .Grant("hostile processes")     // the bomb starts SIPs: the capability is granted, the accounting bounds it
            .Attack("hostile bomb spawn", AttackOutcome.Holds(@"holding: started \d+ SIPs", @"kernel refused: could not start"))
            .AttackLimit(600).Timeout(TimeSpan.FromSeconds(240))
            .Run());
        // The whole tree lives on its root's grant (8 MiB of kernel memory): a few dozen SIPs, not hundreds.
        var (before, during) = Held(r);
        Assert.True(during.LiveSips - before.LiveSips <= 48, $"the spawn bomb held {during.LiveSips - before.LiveSips} live SIPs");
    }

    [Fact]
    public void AChannelFloodCountsAgainstTheSendersExchangeQuota()
    {
        var r = Exact(HostileScenario.Named("channel flood")
            .Attack("hostile bomb flood", AttackOutcome.Holds(@"holding: \d+ KiB queued", @"refused: exchange block \d+ after \d+ KiB queued"))
            .AttackLimit(600).Timeout(TimeSpan.FromSeconds(240))
            .Run());
        // Queued messages stay charged to their sender: at most its 16 MiB exchange grant.
        var (before, during) = Held(r);
        Assert.True(during.ExchangeBytes - before.ExchangeBytes <= 16L * 1024 * 1024,
                    $"the flood held {during.ExchangeBytes - before.ExchangeBytes} exchange bytes queued");
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
        var r = Exact(HostileScenario.Named("slot bomb")
            .Grant("hostile processes")     // the bomb starts SIPs: the capability is granted, the accounting bounds it
            .Attack("hostile bomb slots", AttackOutcome.Holds(@"holding: \d+ one-byte blocks"))
            .AttackLimit(600).Timeout(TimeSpan.FromSeconds(240))
            .Run());
        // The attacker and every SIP it started share one grant of 4,096 blocks; the table has 16,384.
        var (before, during) = Held(r);
        Assert.True(during.ExchangeBlocks - before.ExchangeBlocks <= 4096, $"the slot bomb held {during.ExchangeBlocks - before.ExchangeBlocks} blocks");
    }

    [Fact]
    public void AThreadBombsStacksAreChargedAndRefused()
    {
        var r = Exact(HostileScenario.Named("thread bomb")
            .Grant("hostile processes")     // the bomb starts SIPs: the capability is granted, the accounting bounds it
            .Attack("hostile bomb threads", AttackOutcome.Holds(@"holding: \d+ threads", @"SIPs starting threads \(refused: could not start"))
            .AttackLimit(600).Timeout(TimeSpan.FromSeconds(240))
            .Run());
        // Stacks, records and images of the whole tree within its 8 MiB kernel grant and 16 MiB of heap (and slack for the kernel heap's pages).
        var (before, during) = Held(r);
        Assert.True(before.FreeKiB - during.FreeKiB <= 28 * 1024, $"the thread bomb took {before.FreeKiB - during.FreeKiB} KiB");
    }

    [Fact]
    public void NameStringsAreChargedToTheSipThatRegistersThem()
    {
        // `accounts` while the SIP holds eight names shows their strings in its `names` column; once
        // it is killed they are given back, and every charge came back exactly.
        const string Row = @"^\s+{0}\s+0\s+\d+\s+\d+\s+\d+\s+\d+ \((\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)\)";
        string Id(string log) => System.Text.RegularExpressions.Regex.Match(log, @"sip hostileauthority#(\d+) started from the debug console").Groups[1].Value;
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "sips=counter",
            Sips = new[] { "counter", "hostileauthority" },
            Grants = new[] { "hostileauthority " + string.Join(" ", Enumerable.Range(0, 8).Select(i => "name=/hostile/n" + i)) },
            Script = new[]
            {
                new ScriptStep("counter#1: 2", "start hostileauthority hold-names\n"),
                ScriptStep.Matching(@"authority#\d+ hold-names: holding 8 names", "accounts\n"),
                new ScriptStep("TREE KERNEL B / GRANT", log => "kill " + Id(log) + "\n"),
                ScriptStep.Matching(@"sip hostileauthority#\d+ failed: killed from the debug console", "accounts\nmem\n"),
            },
            StopWhen = " free pages",           // the end of `mem`
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC").DoesNotContain("accounting: ");
        string log = boot.Serial;
        string id = Id(log);
        var held = System.Text.RegularExpressions.Regex.Match(log, string.Format(Row, id), System.Text.RegularExpressions.RegexOptions.Multiline);
        boot.Check(held.Success, "no `accounts` row for the SIP holding the names");
        long names = long.Parse(held.Groups[7].Value);
        // Eight strings of 10 characters: each at least its characters, and less than a page for all.
        boot.Check(names >= 8 * 20 && names < 4096, $"its names column is {names} bytes");
        // Killed: its names (and their listeners' channels) are given back at once; the rest of its
        // account (record, stacks) goes when its threads are reaped.
        int after = log.LastIndexOf("TREE KERNEL B / GRANT", StringComparison.Ordinal);
        var ended = System.Text.RegularExpressions.Regex.Match(log[after..], string.Format(Row, id), System.Text.RegularExpressions.RegexOptions.Multiline);
        boot.Check(!ended.Success || (ended.Groups[7].Value == "0" && ended.Groups[5].Value == "0"),
                   $"the killed SIP is still charged {ended.Groups[7].Value} bytes of names and {ended.Groups[5].Value} of channels");
    }

    [Fact]
    public void AManifestAskingFor4096MiBGetsWhatTheSystemGrants()
    {
        var r = Exact(HostileScenario.Named("greedy manifest granted")
            .Attack("hostilegreedy", AttackOutcome.Fails(@"^heap quota exceeded", @"hostilegreedy#\d+: heap quota 16 MiB; taking memory"))
            .Run());
    }

    [Fact]
    public void AServiceRunsOnTheGrantOfItsSystemManifestLine()
    {
        // The manifest line grants 6 MiB of heap: the greedy SIP's own manifest (4096 MiB) cannot
        // raise it, and it runs on its supervisor's grant (the supervisor's heap counts too).
        string dir = Path.Combine(QemuRunner.RepoRoot, "artifacts", "test-manifests", nameof(AServiceRunsOnTheGrantOfItsSystemManifestLine));
        Directory.CreateDirectory(dir);
        string manifest = Path.Combine(dir, "system.manifest");
        File.WriteAllText(manifest, "service hostilegreedy restart=0 heap=6 kernel=4\nservice counter heap=lots\n");
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "sips=counter",
            Sips = new[] { "supervisor", "hostilegreedy", "counter" },
            Modules = new[] { manifest },
            StopWhen = "supervisor: hostilegreedy failed 1 times; giving up",
        });
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        boot.Contains("system manifest: supervisor#2 and its service granted heap 6 MiB, exchange 16 MiB in 4096 blocks, kernel memory 4 MiB, 64 threads")
            .Contains("system manifest: line 2 has a bad value in 'heap=lots' (heap must be 1 to 1048576); skipped")
            .Match(@"hostilegreedy#3: heap quota 6 MiB; taking memory");
        boot.Match(@"sip hostilegreedy#3 failed: heap quota exceeded");
        boot.DoesNotContain("hostilegreedy#3: 32 MiB held");
    }
}
