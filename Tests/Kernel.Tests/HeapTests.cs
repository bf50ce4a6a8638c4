namespace Singularity.Tests.Kernel;

/// <summary>The kernel heap allocator, exercised inside the booted kernel.</summary>
public class HeapTests
{
    [Fact]
    public void AllocateFreePatternsKeepBlocksIntactAndReturnToBaseline()
    {
        // The self-test checks zeroing, no overlap across 512 live blocks of every size class and
        // the large path, reuse of freed blocks, and that usage returns to its baseline.
        BootAssert.Boot("test=heap shutdown").Exited(QemuExit.Success)
            .Contains("selftest heap: passed")
            .DoesNotContain("FAILED");
    }

    [Fact]
    public void ExhaustionIsAClearPanic()
    {
        var boot = BootAssert.Boot(new BootOptions { CommandLine = "test=heapexhaust", MemoryMiB = 64 }).Exited(QemuExit.Panic);
        boot.Contains("*** KERNEL PANIC: kernel heap exhausted")
            .Contains("SelfTests__HeapExhaustion");
        boot.Match(@"cannot allocate 1048576 bytes; heap holds \d+ bytes in \d+ blocks; free physical memory \d+ KiB");
    }
}
