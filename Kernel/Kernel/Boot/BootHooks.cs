using Singularity.Kernel.Diagnostics;

namespace Singularity.Kernel.Boot
{
    /// <summary>
    /// Where code linked above the kernel plugs into boot. Today that is only the test module
    /// (Kernel/KernelTests, linked into kernel-test.elf): its entry calls <see cref="OnBoot"/>
    /// and then kmain; once the heap and the scheduler are up, kmain calls the registration, which
    /// registers the module's debug-console commands, its scheduler hook and its `test=` runner.
    /// The production image registers nothing, so these hooks stay empty there.
    /// </summary>
    internal static unsafe class BootHooks
    {
        // Function pointers, not delegates: OnBoot runs before the heap exists.
        private static delegate*<void> s_register;
        private static delegate*<string, void> s_testRunner;

        /// <summary>Called before kmain: only remembers the registration (nothing else is set up yet).</summary>
        public static void OnBoot(delegate*<void> register) => s_register = register;

        /// <summary>Runs the registration, if a module gave one. Called by kmain once allocation and threads work.</summary>
        public static void RunRegistrations()
        {
            if (s_register != null) s_register();
        }

        /// <summary>The runner of `test=NAME`.</summary>
        public static void SetTestRunner(delegate*<string, void> run) => s_testRunner = run;

        /// <summary>Runs the named test, or warns that this image has no test module.</summary>
        public static void RunTest(string name)
        {
            if (s_testRunner != null) { s_testRunner(name); return; }
            Log.Write("warning: unknown self-test '"); Log.Write(name);
            Log.WriteLine("' (this kernel image has no test module; the test image is kernel-test.elf)");
        }
    }
}
