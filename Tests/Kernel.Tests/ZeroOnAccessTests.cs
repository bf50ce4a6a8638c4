namespace Singularity.Tests.Kernel;

/// <summary>Pages zeroed on their first access (SIP stacks below their top; Memory/Paging.cs).</summary>
public class ZeroOnAccessTests
{
    [Fact]
    public void PagesReadAsZerosOnFirstAccessAndOnlyTouchedOnesAreMapped()
    {
        // The self-test fills frames with a pattern, unmaps them to be zeroed on access, and checks
        // that a read and a write each see a zeroed page, untouched pages stay unmapped, and Remap
        // maps every page again.
        BootAssert.Boot("test=zeroonaccess shutdown").Exited(QemuExit.Success)
            .Contains("selftest zeroonaccess: passed")
            .DoesNotContain("FAILED");
    }
}
