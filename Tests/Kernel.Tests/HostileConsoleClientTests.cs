namespace Singularity.Tests.Kernel;

/// <summary>
/// A client that binds /service/console with other contracts than ConsoleContract and breaks
/// them (Tests/TestSips/ConsoleClients, mode `wrong`): the console service fails only that
/// client's channels and goes on serving (the shell still prints through it), the bystander goes
/// on, and the kernel's memory and the exchange heap are back at their baseline exactly.
/// </summary>
public class HostileConsoleClientTests
{
    [Fact]
    public void AWrongContractClientOfTheConsoleFailsOnlyItsOwnChannels()
    {
        var result = HostileScenario.Named("wrong-contract console client").WithShell()
            .Attack("consoleclients wrong", AttackOutcome.Exits(0,
                "consoleclients: sent Bye as an EchoContract client",
                "consoleclients: the carried channel was closed by the console",
                "consoleclients: the console still serves"))
            .ThenType("echo console-still-here\n", "^console-still-here\r?$")
            .Run();
        result.KernelHeapAllowance = 0;
        result.ChildRecordAllowance = 0;
        result.FailedAlone();
        result.Log.DoesNotContain("accounting: ");
        var ended = System.Text.RegularExpressions.Regex.Match(result.Log.Serial, @"sip (console|shell)#\d+ (exited|failed)[^\n]*");
        result.Log.Check(!ended.Success, "the console or the shell ended: " + ended.Value);
    }
}
