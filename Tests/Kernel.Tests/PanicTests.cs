namespace Singularity.Tests.Kernel;

/// <summary>Faults in kernel code end in a panic that says what and where, never a triple fault.</summary>
public class PanicTests
{
    [Fact]
    public void NullDereferencePanicsNamingPageFaultCr2AndMethod()
    {
        var boot = BootAssert.Boot("test=nullderef").Exited(QemuExit.Panic);
        boot.Contains("*** KERNEL PANIC: #PF page fault")
            .Contains("page not present")
            .Contains("CR2 0x0000000000000000")
            .Contains("SelfTests__NullDereference")
            .Contains("stack trace:")
            .Contains("Kernel__Main");
        boot.Match(@"RIP 0x[0-9a-f]{16} in Singularity_Kernel_Tests_Singularity_Kernel_Tests_SelfTests__NullDereference\+0x[0-9a-f]{4}");
    }

    [Fact]
    public void DivideByZeroPanicsNamingDivideError()
    {
        BootAssert.Boot("test=divzero").Exited(QemuExit.Panic)
            .Contains("*** KERNEL PANIC: #DE divide error")
            .Contains("SelfTests__DivideByZero");
    }

    [Fact]
    public void StackOverflowHitsGuardPageAndPanics()
    {
        // Exited(Panic) also proves this was not a triple fault (that would be status 0). The
        // page fault lands on its own stack (TSS IST), so it is reported as itself, not as #DF.
        BootAssert.Boot("test=stackoverflow").Exited(QemuExit.Panic)
            .Contains("*** KERNEL PANIC: #PF page fault (kernel stack overflow: guard page hit)")
            .Contains("SelfTests__Recurse");
    }

    [Fact]
    public void UnhandledExceptionInKernelPanicsWithTypeAndMessage()
    {
        BootAssert.Boot("test=throw").Exited(QemuExit.Panic)
            .Contains("*** KERNEL PANIC: unhandled exception in the kernel")
            .Contains("System.InvalidOperationException: thrown by the throw self-test")
            .InOrder("stack trace:", "SelfTests__Run")
            .Contains("Kernel__Main");
    }

    [Fact]
    public void PanicOptionStopsWithPanicStatus()
    {
        BootAssert.Boot("panic").Exited(QemuExit.Panic)
            .InOrder("singularity: boot complete", "*** KERNEL PANIC: requested by the 'panic' kernel option");
    }
}
