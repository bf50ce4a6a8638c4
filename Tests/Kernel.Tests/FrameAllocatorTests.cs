namespace Singularity.Tests.Kernel;

/// <summary>The frame allocator's first fit, a bitmap word at a time (Memory/PhysicalMemory.cs).</summary>
public class FrameAllocatorTests
{
    [Fact]
    public void RunsArePlacedFirstFitAndFreedFramesCountAgain()
    {
        // The self-test takes and frees runs of 200, 70, 60, 71 and 2 frames and checks where each
        // lands (a hole one frame too small is passed over, an exact one taken) and that the free
        // count comes back to where it was.
        BootAssert.Boot("test=frames shutdown").Exited(QemuExit.Success)
            .Contains("selftest frames: passed")
            .DoesNotContain("FAILED");
    }
}
