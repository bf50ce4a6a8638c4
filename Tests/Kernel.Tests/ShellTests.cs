namespace Singularity.Tests.Kernel;

/// <summary>The console service and the shell over serial.</summary>
public class ShellTests
{
    private static BootOptions ShellBoot(params ScriptStep[] script) => new()
    {
        CommandLine = "sips=console,shell,counter",
        Sips = new[] { "console", "shell", "counter", "hello" },
        Script = script,
        StopWhen = "sh> ",
    };

    [Fact]
    public void ShellRunsPsStartMemEchoAndKill()
    {
        var boot = BootAssert.Boot(ShellBoot(
            new ScriptStep("counter#3: 3", "echo hello there\n"),
            new ScriptStep("hello there", "ps\n"),
            new ScriptStep("EXCHANGE B", "start hello from-shell\n"),
            // mem counts live SIPs: wait until the child has exited, or it may still be one of them.
            new ScriptStep("sip hello#4 exited", "mem\n"),
            new ScriptStep("blocks", "kill 3\n"),
            new ScriptStep("killed 3", "frobnicate\n"),
            new ScriptStep("unknown command", "start nosuchsip\n"),
            new ScriptStep("start: ", "\n")));
        boot.Exited(QemuExit.StoppedByHarness).DoesNotContain("KERNEL PANIC");
        boot.Contains("console: serving /service/console").Contains("shell: type 'help' for commands");
        // An output line may follow the shell's prompt on its line: the prompt goes through the
        // console service, the typing's echo straight out, so their order depends on timing.
        boot.Match(@"^(sh> )?hello there\r?$");
        boot.Match(@"^\s+3\s+counter\s+running\s+1\s+\d+\s+0");
        boot.Match(@"^\s+2\s+shell\s+running");
        // The child and the shell run concurrently: either may print first.
        boot.Contains("started hello#4");
        boot.Contains("hello from SIP hello#4 (arguments: 'from-shell')");
        boot.Match(@"^(sh> )?mem: usable \d+ KiB, free \d+ KiB, kernel heap \d+ KiB, SIPs \d+ KiB in 3 live SIPs, exchange heap \d+ bytes in \d+ blocks");
        boot.InOrder("sip counter#3 failed: killed by shell#2", "killed 3");
        boot.Contains("shell: unknown command 'frobnicate' (try help)");
        boot.Contains("start: no boot module named 'nosuchsip'");
    }

    [Fact]
    public void ConsoleServiceRestartsAndClientsGoOnWriting()
    {
        FaultScenario.Named("console restart")
            // The counter first: its id (1) cannot depend on how soon the supervisor starts the console.
            .Sips("counter", "supervisor max=2 backoff=20 -- console", "console")
            .KernelOptions("sips=supervisor,counter")
            .WaitFor("counter#1: 5")
            .Inject(FaultScenario.FromLog(@"supervisor: started (console#\d+)"), FaultKind.NullDereference)
            .ThenWaitFor("supervisor: started console#")
            .ThenWaitFor("counter#1: 20")
            .Run()
            .NoKernelPanic()
            .SipFailed("console", "null dereference (injected)")
            .Restarted("console")
            .KeptProgressing(@"counter#1: \d+", 10)
            .ExchangeHeapEmpty();
    }
}
