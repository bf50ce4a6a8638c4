using Singularity.FaultCampaign;

namespace Singularity.Tests.FaultCampaign;

/// <summary>Bad command lines get exit 2 and a message naming the problem.</summary>
public class CommandLineTests
{
    private static (int Exit, string Error) Run(params string[] args)
    {
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        try { return (Program.Main(args), err.ToString()); }
        finally { Console.SetError(old); }
    }

    [Theory]
    [InlineData("unknown option --bogus", "--sip", "echoservice", "--bogus")]
    [InlineData("--count must be a whole number >= 0, not 'many'", "--sip", "echoservice", "--count", "many")]
    [InlineData("no workload for SIP 'nosuch'", "--sip", "nosuch")]
    [InlineData("unknown workload 'x'", "--workload", "x")]
    [InlineData("workload 'echo' exercises echoservice, not console", "--workload", "echo", "--sip", "console")]
    [InlineData("unknown fault type 'typo'", "--sip", "echoservice", "--type", "typo")]
    [InlineData("--replay takes a mutant id", "--sip", "echoservice", "--replay", "0")]
    [InlineData("usage: campaign", "--seed", "3")]
    [InlineData("no such assembly: /nonexistent.dll", "list", "/nonexistent.dll")]
    [InlineData("--seed needs a value", "--sip", "echoservice", "--seed")]
    public void BadCommandLinesAreNamed(string message, params string[] args)
    {
        var (exit, error) = Run(args);
        Assert.Equal(2, exit);
        Assert.Contains(message, error);
    }

    [Fact]
    public void AFileThatIsNotAnAssemblyIsNamed()
    {
        string f = Path.GetTempFileName();
        File.WriteAllText(f, "not an assembly");
        try
        {
            var (exit, error) = Run("list", f);
            Assert.Equal(2, exit);
            Assert.Contains("is not a readable .NET assembly", error);
        }
        finally { File.Delete(f); }
    }
}
