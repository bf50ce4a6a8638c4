using Singularity.Kernel.Diagnostics;

namespace Singularity.Kernel.Boot
{
    /// <summary>
    /// The kernel command line: space-separated `name` or `name=value` options. Unknown or
    /// malformed options are reported as warnings and ignored; boot always continues.
    /// </summary>
    internal sealed class CommandLine
    {
        /// <summary>Run the named kernel self-test after boot (the test image's module, Kernel/KernelTests/SelfTests.cs).</summary>
        public string Test;
        /// <summary>Power off once boot completes (and after a self-test).</summary>
        public bool Shutdown;
        /// <summary>Stop with a kernel panic after boot (for testing the panic path itself).</summary>
        public bool PanicAfterBoot;
        /// <summary>Which boot modules to start, and how many instances: `sips=a,b*3`. Null: each once.</summary>
        public string Sips;
        /// <summary>Heap quota for SIPs started at boot, in MiB (until manifests give their own).</summary>
        public ulong SipQuotaMiB = 16;

        public static unsafe CommandLine Parse(byte* raw)
        {
            var result = new CommandLine();
            if (raw == null) return result;
            string text = string.FromAscii(raw, 4096);
            Log.Write("command line: "); Log.WriteLine(text);
            int i = 0;
            bool first = true;
            while (i < text.Length)
            {
                while (i < text.Length && text[i] == ' ') i++;
                int start = i;
                while (i < text.Length && text[i] != ' ') i++;
                if (i == start) continue;
                string word = text.Substring(start, i - start);
                // Multiboot loaders (GRUB, QEMU) put the kernel image's path first.
                if (!(first && IsImagePath(word))) result.Apply(word);
                first = false;
            }
            return result;
        }

        private static bool IsImagePath(string word) =>
            word.IndexOf('=') < 0 && word != "shutdown" && word != "panic";

        private void Apply(string option)
        {
            int eq = option.IndexOf('=');
            string name = eq < 0 ? option : option.Substring(0, eq);
            string value = eq < 0 ? null : option.Substring(eq + 1);
            if (name == "test")
            {
                if (value == null || value.Length == 0) Warn(option, "needs a test name, as in test=heap");
                else Test = value;
            }
            else if (name == "shutdown" && value == null) Shutdown = true;
            else if (name == "sips" && value != null && value.Length > 0) Sips = value;
            else if (name == "sipquota" && value != null && Text.TryParseDecimal(value, out ulong mib) && mib > 0) SipQuotaMiB = mib;
            else if (name == "panic" && value == null) PanicAfterBoot = true;
            else Warn(option, "is not a known option (known: test=<name>, shutdown, panic, sips=<name>[*<count>],..., sipquota=<MiB>)");
        }

        private static void Warn(string option, string problem)
        {
            Log.Write("warning: kernel option '"); Log.Write(option); Log.Write("' "); Log.Write(problem);
            Log.WriteLine("; ignored");
        }
    }
}
