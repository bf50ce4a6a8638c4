namespace Singularity.Testing;

/// <summary>How a QEMU run ended, decoded from its exit status.</summary>
public enum QemuExit
{
    /// <summary>The kernel shut down cleanly (isa-debug-exit 0x10 -> status 33).</summary>
    Success,
    /// <summary>The kernel panicked (0x11 -> 35).</summary>
    Panic,
    /// <summary>A kernel self-test reported failure (0x12 -> 37).</summary>
    TestFailed,
    /// <summary>Status 0: under -no-reboot a triple fault (CPU reset) exits QEMU with 0. Never success.</summary>
    TripleFault,
    /// <summary>The harness killed QEMU when its timeout expired.</summary>
    Timeout,
    /// <summary>The harness stopped QEMU on purpose once the serial log showed what it waited for.</summary>
    StoppedByHarness,
    /// <summary>Any other status: QEMU itself failed (bad arguments, missing image, ...).</summary>
    Other,
}

public static class QemuExitCodes
{
    public static QemuExit Decode(int status) => status switch
    {
        33 => QemuExit.Success,
        35 => QemuExit.Panic,
        37 => QemuExit.TestFailed,
        0 => QemuExit.TripleFault,
        _ => QemuExit.Other,
    };
}
