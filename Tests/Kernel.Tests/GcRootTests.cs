using System.Text.RegularExpressions;

namespace Singularity.Tests.Kernel;

/// <summary>
/// A SIP's collector scans every live thread's stack (docs/scheduling.md): never a partial list.
/// The kernel caps a SIP's threads (Kernel/Abi/SipLimits.cs) and refuses one more cleanly.
/// The fixture is Tests/TestSips/GcRoots, verified safe C#.
/// </summary>
public class GcRootTests
{
    [Fact]
    public void ObjectsKeptOnlyByTheOldestThreadSurviveCollectionsAtTheThreadCap()
    {
        var boot = BootAssert.Boot(new BootOptions
        {
            CommandLine = "shutdown",
            Sips = new[] { "gcroots" },
            Timeout = TimeSpan.FromSeconds(180),
        });
        boot.DoesNotContain("KERNEL PANIC").Exited(QemuExit.Success);
        // As many threads as the cap allows besides main (64 in all), then a clean refusal.
        boot.Contains("gcroots: 63 threads besides main; the next one refused: thread limit reached (the SIP's thread grant)");
        var m = boot.Match(@"gcroots: (\d+) collections while main waited; ([^\r\n]*)");
        boot.Check(int.Parse(m.Groups[1].Value) >= 5, "the pressure thread forced fewer than 5 collections");
        boot.Check(m.Groups[2].Value == "kept objects intact", "main's objects did not survive: " + m.Groups[2].Value);
        boot.Contains("sip gcroots#1 exited with code 0");
    }
}
