using Singularity.Kernel.Memory;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.IO;
using Singularity.Kernel.Processes;
using Singularity.Kernel.Loader;
using Singularity.Kernel.Syscalls;

namespace Singularity.Kernel.Console
{
    /// <summary>
    /// The kernel debug console on the serial line: `ps`, `cpu`, `mem`, `accounts`, `start`, `kill ID`, `help`,
    /// and the commands modules register (AddCommand; the test image's `inject`). It runs on the
    /// boot thread after boot, polling the UART between short sleeps. While a SIP (the shell) owns
    /// the serial input, Ctrl-] (SerialInput.EscapeKey) gives the console the next line.
    /// </summary>
    internal static unsafe class DebugConsole
    {
        public static void Run()
        {
            char* line = stackalloc char[128];
            int len = 0;
            Log.Write("kdb> ");
            bool escaped = false;
            while (true)
            {
                // Once a SIP (the shell) owns the serial input, the kernel console stays quiet,
                // except for the line after Ctrl-] (the shell's read hands it over).
                bool shellOwns = SerialInput.ClaimedBy != null;
                if (shellOwns && !SerialInput.KernelHoldsLine) { escaped = false; Scheduler.Sleep(10 * 1000 * 1000); continue; }
                if (shellOwns && !escaped) { escaped = true; len = 0; Log.Write("\nkdb> "); }
                if (!Serial16550.TryRead(out byte b)) { Scheduler.Sleep(10 * 1000 * 1000); continue; }
                if (b == '\r' || b == '\n')
                {
                    Log.WriteLine();
                    // The kernel has no collector: the command's strings go back once it is done, so
                    // the console itself costs nothing between two `mem` reports.
                    string cmd = string.FromChars(line, len);
                    Execute(cmd);
                    FreeString(cmd);
                    len = 0;
                    SerialInput.ReleaseKernelLine();
                    if (escaped) escaped = false;
                    else Log.Write("kdb> ");
                }
                else if ((b == 8 || b == 127) && len > 0) { len--; Log.Write("\b \b"); }
                else if (b >= 32 && b < 127 && len < 127) { line[len++] = (char)b; Log.WriteChar((char)b); }
            }
        }

        public static void Execute(string cmd)
        {
            if (cmd.Length == 0) return;
            if (cmd == "ps") Ps();
            else if (cmd == "mem") Mem();
            else if (cmd == "accounts") Accounts();
            else if (cmd == "cpu" || cmd.StartsWith("cpu ")) { string rest = cmd.Substring(3); Cpu(rest); FreeString(rest); }
            else if (cmd == "help") Help();
            else if (RunRegistered(cmd)) { }
            else if (cmd.StartsWith("start ")) { string rest = cmd.Substring(6); Start(rest); FreeString(rest); }
            else if (cmd.StartsWith("kill "))
            {
                // Interrupts off: the SIP's record cannot be freed between the look-up and the kill.
                ulong flags = Arch.Cpu.ReadRflags();
                Arch.Cpu.DisableInterrupts();
                string spec = cmd.Substring(5);
                Sip sip = FindLive(spec);
                FreeString(spec);
                if (sip == null) Log.WriteLine("kill: no such running SIP");
                else sip.Fail("killed from the debug console", 0);
                if ((flags & (1 << 9)) != 0) Arch.Cpu.EnableInterrupts();
            }
            else { Log.Write("unknown command '"); Log.Write(cmd); Log.WriteLine("' (try help)"); }
        }

        // Starts another instance of a boot module, as a SIP's SipStart would (tests start an
        // attacker after measuring memory, so the measurement is the kernel's alone).
        private static void Start(string line)
        {
            int space = line.IndexOf(' ');
            string name = space < 0 ? line : line.Substring(0, space);
            string args = space < 0 ? "" : line.Substring(space + 1);
            if (!BootModules.Find(name, out byte* image, out ulong size)) { Log.Write("start: no boot module named '"); Log.Write(name); Log.WriteLine("'"); return; }
            // Interrupts off from the start to the log line: the new SIP cannot run (or print) before
            // the line that names it, and no other output splits the line.
            ulong flags = Arch.Cpu.ReadRflags();
            Arch.Cpu.DisableInterrupts();
            Sip sip = SipLoader.Start(name, args, image, size, SipQuota.Default(BootModules.DefaultQuota), CpuGrant.Default, null, out string error);
            if (sip == null) { Log.Write("sip "); Log.Write(name); Log.Write(" not started: "); Log.WriteLine(error); }
            else { Log.Write("sip "); Log.Write(name); Log.Write("#"); Log.WriteDecimal((ulong)sip.Id); Log.WriteLine(" started from the debug console"); }
            if ((flags & (1 << 9)) != 0) Arch.Cpu.EnableInterrupts();
            // The SIP has its own copies.
            if (space >= 0) { FreeString(name); FreeString(args); }
        }

        // Commands registered from above (the test module's `inject`), newest first.
        private sealed class Command
        {
            public string Name, Usage;
            public delegate*<string, void> Run;
            public Command Next;
        }
        private static Command s_commands;

        /// <summary>
        /// Adds a command: `NAME` or `NAME ARGS` calls run with ARGS ("" for none; the console
        /// frees it afterwards). Called at boot by modules linked above the kernel.
        /// </summary>
        public static void AddCommand(string name, string usage, delegate*<string, void> run)
        {
            s_commands = new Command { Name = name, Usage = usage, Run = run, Next = s_commands };
        }

        private static bool RunRegistered(string cmd)
        {
            for (Command c = s_commands; c != null; c = c.Next)
            {
                int n = c.Name.Length;
                if (!cmd.StartsWith(c.Name) || (cmd.Length > n && cmd[n] != ' ')) continue;
                string rest = cmd.Length > n ? cmd.Substring(n + 1) : "";
                c.Run(rest);
                FreeString(rest);
                return true;
            }
            return false;
        }

        private static void Help()
        {
            Log.Write("commands: ps, cpu [ms], mem, accounts, start <module> [args], kill <sip>, ");
            for (Command c = s_commands; c != null; c = c.Next) { Log.Write(c.Usage); Log.Write(", "); }
            Log.WriteLine("help  (<sip>: an id, NAME or NAME#ID; while the shell owns the input, type Ctrl-] first)");
        }

        /// <summary>A running SIP named by its id, `NAME#ID`, or a `NAME` only one running SIP has.</summary>
        public static Sip FindLive(string spec)
        {
            int hash = spec.IndexOf('#');
            string idText = hash >= 0 ? spec.Substring(hash + 1) : spec;
            bool numeric = Text.TryParseDecimal(idText, out ulong id);
            if (hash >= 0) FreeString(idText);
            if (numeric)
            {
                Sip s = SipTable.Find((int)id);
                if (s == null || !s.IsAlive) return null;
                if (hash >= 0)
                {
                    string name = spec.Substring(0, hash);
                    bool same = s.Name == name;
                    FreeString(name);
                    if (!same) return null;
                }
                return s;
            }
            Sip found = null;
            for (Sip s = SipTable.First; s != null; s = s.Next)
            {
                if (!s.IsAlive || s.Name != spec) continue;
                if (found != null) return null;     // ambiguous
                found = s;
            }
            return found;
        }

        // Frees a string the console made (the empty string is static and stays).
        public static void FreeString(string s)
        {
            if (s != null && s.Length != 0) Allocator.Free(s);
        }

        public static void Ps()
        {
            Log.WriteLine("  ID NAME             STATE    THREADS  HEAP KiB  QUOTA KiB   CPU ms  SHARE  MAX PRIORITY");
            // Interrupts off throughout: records of ended SIPs are freed as their threads are reaped.
            ulong all = Arch.Cpu.ReadRflags();
            Arch.Cpu.DisableInterrupts();
            for (Sip s = SipTable.First; s != null; s = s.Next)
            {
                Log.Write("  "); Pad(s.Id.ToString(), 2); Log.Write(" "); Pad(s.Name, 16); Log.Write(" ");
                Pad(s.State == SipState.Running ? "running" : s.State == SipState.Exited ? "exited" : "failed", 8);
                Log.Write(" "); Pad(s.LiveThreads.ToString(), 7);
                Log.Write("  "); Pad((s.HeapBytes / 1024).ToString(), 8);
                Log.Write("  "); Pad((s.HeapQuota / 1024).ToString(), 9);
                Log.Write("  "); Pad(Scheduler.CyclesToMs(s.Share.CpuCycles).ToString(), 7);
                Log.Write("  "); Pad(s.Share.Grant.Share.ToString(), 5);
                Log.Write("  "); Log.Write(PriorityName(s.Share.Grant.MaxPriority));
                Log.WriteLine();
                // Interrupts off while walking a SIP's threads: their records can be freed meanwhile.
                ulong flags = Arch.Cpu.ReadRflags();
                Arch.Cpu.DisableInterrupts();
                for (Thread t = s.Threads; t != null; t = t.NextInSip)
                {
                    if (t.State == ThreadState.Dead) continue;
                    Log.Write("       thread "); Log.WriteDecimal((ulong)t.Id); Log.Write(" ");
                    Log.Write(t.State == ThreadState.Running ? "running" : t.State == ThreadState.Ready ? "ready" : "blocked");
                    Log.Write(" "); Log.Write(PriorityName(t.Priority));
                    Log.Write(" cpu "); Log.WriteDecimal(Scheduler.CyclesToMs(t.CpuCycles)); Log.WriteLine(" ms");
                }
                if ((flags & (1 << 9)) != 0) Arch.Cpu.EnableInterrupts();
            }
            // SIPs whose records are gone: how they ended, from the exit log (newest first).
            for (int k = 0; k < SipExitLog.Count; k++)
            {
                int id = SipExitLog.IdAt(k);
                if (SipTable.Find(id) != null) continue;
                Log.Write(id < 10 ? "   " : "  "); Log.WriteDecimal((ulong)id); Log.Write(" ");
                int c = 0;
                for (; c < 16 && SipExitLog.NameCharAt(k, c) != '\0'; c++) Log.WriteChar(SipExitLog.NameCharAt(k, c));
                for (; c < 16; c++) Log.WriteChar(' ');
                Log.Write(" "); Log.Write(SipExitLog.StateAt(k) == SipState.Exited ? "exited  " : "failed  ");
                Log.Write(" code "); Log.WriteDecimal((long)SipExitLog.ExitCodeAt(k));
                Log.WriteLine();
            }
            if ((all & (1 << 9)) != 0) Arch.Cpu.EnableInterrupts();
        }

        private static string PriorityName(ThreadPriority p) =>
            p == ThreadPriority.High ? "high" : p == ThreadPriority.Normal ? "normal" : p == ThreadPriority.Low ? "low" : "idle";

        /// <summary>
        /// `cpu [MS]`: the CPU time each live SIP, the kernel's threads and the idle thread used over
        /// a window of MS milliseconds (default 1000, at most 60000), from the scheduler's accounting:
        ///     cpu: window W ms
        ///     cpu: sip NAME#ID T ms
        ///     cpu: kernel T ms, idle T ms
        /// Tests read the SIP lines (docs/scheduling.md).
        /// </summary>
        private static void Cpu(string arg)
        {
            ulong ms = 1000;
            string a = arg.Length > 0 ? arg.Substring(1) : "";     // after "cpu "
            if (a.Length > 0 && (!Text.TryParseDecimal(a, out ms) || ms == 0 || ms > 60000)) { Log.WriteLine("cpu: the window is 1 to 60000 ms"); return; }
            int n = 0;
            for (Sip s = SipTable.First; s != null; s = s.Next) n++;
            // Ids, not records, are kept over the window: the SIPs are found again in the table.
            var ids = new int[n];
            var before = new ulong[n];
            var used = new ulong[n];
            var alive = new bool[n];
            // Each sample is taken at one instant (interrupts off); every other thread was charged
            // up to the moment it last stopped running.
            ulong flags = Arch.Cpu.ReadRflags();
            Arch.Cpu.DisableInterrupts();
            int k = 0;
            for (Sip s = SipTable.First; s != null && k < n; s = s.Next, k++) { ids[k] = s.Id; before[k] = s.Share.CpuCycles; }
            ulong kernel = Scheduler.KernelShare.CpuCycles, idle = Scheduler.IdleCycles, tsc = Arch.Cpu.ReadTsc();
            if ((flags & (1 << 9)) != 0) Arch.Cpu.EnableInterrupts();
            Scheduler.Sleep(ms * 1000 * 1000);
            Arch.Cpu.DisableInterrupts();
            tsc = Arch.Cpu.ReadTsc() - tsc;
            kernel = Scheduler.KernelShare.CpuCycles - kernel;
            idle = Scheduler.IdleCycles - idle;
            for (Sip s = SipTable.First; s != null; s = s.Next)
                for (int i = 0; i < k; i++)
                    if (ids[i] == s.Id) { used[i] = s.Share.CpuCycles - before[i]; alive[i] = s.IsAlive; }
            if ((flags & (1 << 9)) != 0) Arch.Cpu.EnableInterrupts();
            Log.Write("cpu: window "); Log.WriteDecimal(Scheduler.CyclesToMs(tsc)); Log.WriteLine(" ms");
            for (int i = 0; i < k; i++)
            {
                if (!alive[i]) continue;
                ulong whole = Log.BeginLine();
                Sip s = SipTable.Find(ids[i]);
                Log.Write("cpu: sip "); Log.Write(s == null ? "?" : s.Name); Log.Write("#"); Log.WriteDecimal((ulong)ids[i]); Log.Write(" ");
                Log.WriteDecimal(Scheduler.CyclesToMs(used[i])); Log.WriteLine(" ms");
                Log.EndLine(whole);
            }
            Log.Write("cpu: kernel "); Log.WriteDecimal(Scheduler.CyclesToMs(kernel));
            Log.Write(" ms, idle "); Log.WriteDecimal(Scheduler.CyclesToMs(idle)); Log.WriteLine(" ms");
            Allocator.Free(ids);
            Allocator.Free(before);
            Allocator.Free(used);
            Allocator.Free(alive);
        }

        public static void Mem()
        {
            Abi.MemoryInfo m;
            SystemInfoSyscalls.FillMemoryInfo(&m);
            // Both lines go out whole (interrupts off): tests parse them.
            ulong flags = Arch.Cpu.ReadRflags();
            Arch.Cpu.DisableInterrupts();
            Log.Write("mem: usable "); Log.WriteDecimal(m.UsableBytes / 1024);
            Log.Write(" KiB, free "); Log.WriteDecimal(m.FreeBytes / 1024);
            Log.Write(" KiB, kernel heap "); Log.WriteDecimal(m.KernelHeapBytes / 1024);
            Log.Write(" KiB, SIPs "); Log.WriteDecimal(m.SipBytes / 1024);
            Log.Write(" KiB in "); Log.WriteDecimal((ulong)m.LiveSips); Log.Write(" live SIPs, exchange heap ");
            Log.WriteDecimal(m.ExchangeBytes); Log.Write(" bytes in ");
            Log.WriteDecimal(m.ExchangeBlocks); Log.WriteLine(" blocks");
            // The exact figures a leak check compares (Tests/Singularity.Testing/HostileScenario.cs):
            // kernel-heap bytes and allocations, the frames its small-block classes keep (reused,
            // never returned), the frames of its large blocks, and free frames.
            Log.Write("mem detail: kernel heap "); Log.WriteDecimal(KernelHeap.BytesInUse);
            Log.Write(" bytes in "); Log.WriteDecimal(KernelHeap.BlocksInUse);
            Log.Write(" allocations, "); Log.WriteDecimal(KernelHeap.FramesHeld - KernelHeap.LargeFrames);
            Log.Write(" small-allocation pages, "); Log.WriteDecimal(KernelHeap.LargeFrames);
            Log.Write(" large-allocation pages; "); Log.WriteDecimal(PhysicalMemory.FreeBytes / PhysicalMemory.PageSize);
            Log.WriteLine(" free pages");
            if ((flags & (1 << 9)) != 0) Arch.Cpu.EnableInterrupts();
        }

        /// <summary>
        /// `accounts`: every SIP account (live SIPs', and ended ones still charged for blocks in
        /// flight or channels whose other end lives on), with what it holds itself by kind and,
        /// for kernel memory, together with the SIPs it started against its grant (docs/accounting.md).
        /// </summary>
        public static void Accounts()
        {
            ulong flags = Arch.Cpu.ReadRflags();
            Arch.Cpu.DisableInterrupts();
            Log.WriteLine("  SIP  PARENT  HEAP KiB  EXCHANGE B  BLOCKS  KERNEL B (own: image stacks record threads channels events names)  TREE KERNEL B / GRANT");
            for (SipAccount a = SipAccount.First; a != null; a = a.Next)
            {
                Log.Write("  "); Log.WriteDecimal((ulong)a.SipId); Log.Write(a.Ended ? " (ended)" : "");
                Log.Write("  "); Log.WriteDecimal(a.Parent == null ? 0UL : (ulong)a.Parent.SipId);
                Log.Write("  "); Log.WriteDecimal(a.Own(Charge.Heap) / 1024);
                Log.Write("  "); Log.WriteDecimal(a.Own(Charge.Exchange));
                Log.Write("  "); Log.WriteDecimal(a.Own(Charge.Blocks));
                Log.Write("  "); Log.WriteDecimal(a.OwnKernel); Log.Write(" (");
                for (int c = (int)Charge.Image; c < (int)Charge.Count; c++)
                {
                    if (c != (int)Charge.Image) Log.Write(" ");
                    Log.WriteDecimal(a.Own((Charge)c));
                }
                Log.Write(")  "); Log.WriteDecimal(a.KernelTotal); Log.Write(" / "); Log.WriteDecimal(a.Quota.KernelBytes);
                Log.WriteLine();
            }
            if ((flags & (1 << 9)) != 0) Arch.Cpu.EnableInterrupts();
        }

        private static void Pad(string s, int width)
        {
            Log.Write(s);
            for (int i = s.Length; i < width; i++) Log.WriteChar(' ');
        }
    }
}
