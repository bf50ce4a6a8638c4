using Singularity.Kernel.Drivers;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel.Diagnostics
{
    /// <summary>
    /// The kernel debug console on the serial line: `ps`, `mem`, `start`, `kill ID`, `help`. It runs on the
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
                    Execute(string.FromChars(line, len));
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
            else if (cmd == "help") Log.WriteLine("commands: ps, mem, start <module> [args], kill <sip>, inject <sip> nullderef|throw|protocol|hang, help  (<sip>: an id, NAME or NAME#ID; while the shell owns the input, type Ctrl-] first)");
            else if (cmd.StartsWith("inject ")) Inject(cmd.Substring(7));
            else if (cmd.StartsWith("start ")) Start(cmd.Substring(6));
            else if (cmd.StartsWith("kill "))
            {
                Sip sip = FindLive(cmd.Substring(5));
                if (sip == null) Log.WriteLine("kill: no such running SIP");
                else sip.Fail("killed from the debug console", 0);
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
            Sip sip = SipLoader.Start(name, args, image, size, BootModules.DefaultQuota, out string error);
            if (sip == null) { Log.Write("sip "); Log.Write(name); Log.Write(" not started: "); Log.WriteLine(error); }
            else { Log.Write("sip "); Log.Write(name); Log.Write("#"); Log.WriteDecimal((ulong)sip.Id); Log.WriteLine(" started from the debug console"); }
            if ((flags & (1 << 9)) != 0) Arch.Cpu.EnableInterrupts();
        }

        private static void Inject(string args)
        {
            int space = args.IndexOf(' ');
            Sip sip = space < 0 ? null : FindLive(args.Substring(0, space));
            if (sip == null) { Log.WriteLine("inject: no such running SIP"); return; }
            if (!FaultInjection.TryParse(args.Substring(space + 1), out InjectedFault fault))
            {
                Log.WriteLine("inject: unknown fault kind (nullderef, throw, protocol, hang)");
                return;
            }
            FaultInjection.Arm(sip, fault);
        }

        /// <summary>A running SIP named by its id, `NAME#ID`, or a `NAME` only one running SIP has.</summary>
        public static Sip FindLive(string spec)
        {
            int hash = spec.IndexOf('#');
            string idText = hash >= 0 ? spec.Substring(hash + 1) : spec;
            if (Boot.CommandLine.TryParse(idText, out ulong id))
            {
                Sip s = SipTable.Find((int)id);
                if (s == null || !s.IsAlive || (hash >= 0 && s.Name != spec.Substring(0, hash))) return null;
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

        public static void Ps()
        {
            Log.WriteLine("  ID NAME             STATE    THREADS  HEAP KiB  QUOTA KiB");
            for (Sip s = SipTable.First; s != null; s = s.Next)
            {
                Log.Write("  "); Pad(s.Id.ToString(), 2); Log.Write(" "); Pad(s.Name, 16); Log.Write(" ");
                Pad(s.State == SipState.Running ? "running" : s.State == SipState.Exited ? "exited" : "failed", 8);
                Log.Write(" "); Pad(s.LiveThreads.ToString(), 7);
                Log.Write("  "); Pad((s.HeapBytes / 1024).ToString(), 8);
                Log.Write("  "); Log.WriteDecimal(s.HeapQuota / 1024);
                Log.WriteLine();
                // Interrupts off while walking a SIP's threads: their records can be freed meanwhile.
                ulong flags = Arch.Cpu.ReadRflags();
                Arch.Cpu.DisableInterrupts();
                for (Thread t = s.Threads; t != null; t = t.NextInSip)
                {
                    if (t.State == ThreadState.Dead) continue;
                    Log.Write("       thread "); Log.WriteDecimal((ulong)t.Id); Log.Write(" ");
                    Log.Write(t.State == ThreadState.Running ? "running" : t.State == ThreadState.Ready ? "ready" : "blocked");
                    Log.Write(" cpu "); Log.WriteDecimal(t.CpuTicks); Log.WriteLine(" ms");
                }
                if ((flags & (1 << 9)) != 0) Arch.Cpu.EnableInterrupts();
            }
        }

        public static void FillMemoryInfo(Abi.MemoryInfo* info)
        {
            Scheduler.ReapDead();       // count dead threads' stacks as free, as they are about to be
            ulong sipBytes = 0;
            int live = 0;
            for (Sip s = SipTable.First; s != null; s = s.Next)
                if (s.IsAlive) { live++; sipBytes += s.HeapBytes + s.ImagePages * PhysicalMemory.PageSize; }
            info->UsableBytes = PhysicalMemory.UsableBytes;
            info->FreeBytes = PhysicalMemory.FreeBytes;
            info->KernelHeapBytes = KernelHeap.BytesInUse;
            info->SipBytes = sipBytes;
            info->ExchangeBytes = Channels.ExchangeHeap.BytesInUse;
            info->ExchangeBlocks = Channels.ExchangeHeap.BlocksInUse;
            info->LiveSips = live;
        }

        public static void Mem()
        {
            Abi.MemoryInfo m;
            FillMemoryInfo(&m);
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

        private static void Pad(string s, int width)
        {
            Log.Write(s);
            for (int i = s.Length; i < width; i++) Log.WriteChar(' ');
        }
    }
}
