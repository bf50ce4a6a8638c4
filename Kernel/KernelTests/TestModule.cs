using System.Runtime;
using Singularity.Kernel.Boot;

namespace Singularity.Kernel.Tests
{
    /// <summary>
    /// The test image's entry. boot.asm calls `ktest_main` in kernel-test.elf (KernelImage.targets
    /// passes -dKERNEL_MAIN=ktest_main); it hands the kernel this module's registration and runs
    /// the kernel's own kmain. The kernel never names a type of this module: it calls what was
    /// registered (BootHooks, DebugConsole.AddCommand, Scheduler.SetResumeHook).
    /// </summary>
    internal static unsafe class TestModule
    {
        [RuntimeExport("ktest_main")]
        public static void Main(uint magic, uint multibootInfo)
        {
            BootHooks.OnBoot(&Register);
            Boot.Kernel.Main(magic, multibootInfo);
        }

        // Runs inside kmain once the heap and the scheduler are up, before any boot module starts.
        private static void Register()
        {
            BootHooks.SetTestRunner(&SelfTests.Run);
            FaultInjection.Register();
        }
    }
}
