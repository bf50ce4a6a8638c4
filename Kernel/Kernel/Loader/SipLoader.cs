using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Processes;

namespace Singularity.Kernel.Loader
{
    /// <summary>
    /// Places a SIP image into the single address space, relocates it, and starts its main
    /// thread with the kernel ABI table. Images come from boot modules.
    /// </summary>
    internal static unsafe class SipLoader
    {
        // The ABI table every SIP receives; the Syscalls layer above hands it over at boot (AbiTable.Initialize).
        private static KernelAbi* s_abi;

        /// <summary>Sets the table SIPs are started with (once, at boot, before any SIP starts).</summary>
        public static void SetAbiTable(KernelAbi* table) => s_abi = table;

        /// <summary>
        /// Loads and starts a SIP under <paramref name="grant"/>, started by <paramref name="parent"/>
        /// (null: by the kernel); on failure returns null and sets <paramref name="error"/>. The
        /// image's manifest may ask for a smaller heap than the grant, never a larger one. Its image,
        /// record and main thread are charged to it (and so to every ancestor's grant). With
        /// <paramref name="keepRecord"/> its record stays after it ends (for a kernel thread that waits for it).
        /// <paramref name="cpu"/> is its CPU share and priority ceiling (never from its own manifest).
        /// </summary>
        public static Sip Start(string name, string arguments, byte* image, ulong size, SipQuota grant, CpuGrant cpu, Sip parent, out string error, bool keepRecord = false)
        {
            var elf = new ElfImage(image, size);
            error = elf.Validate();
            if (error != null) return null;
            SipManifest.Facts manifest = SipManifest.Read(ref elf, image, size);
            SipQuota quota = grant.AskedFor(manifest.HeapQuota);
            elf.Span(out ulong lo, out ulong hi);
            ulong pages = (hi - lo) / PhysicalMemory.PageSize;

            Sip sip = Sip.Create(name, arguments, quota, parent, out error);
            if (sip == null) return null;
            sip.KeepRecord = keepRecord;        // the kernel waits for it (boot SIPs, benchmarks)
            // Its CPU share is part of its record: charged with it, freed with it (Sip.TryFreeRecord).
            ulong shareFlags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            ulong shareMark = KernelHeap.BytesInUse;
            sip.Share = new CpuShare(cpu);
            sip.ChargeRecord(KernelHeap.BytesInUse - shareMark);
            if ((shareFlags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            sip.Elf = elf;
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            ulong mem = 0;
            ulong bytes = pages * PhysicalMemory.PageSize;
            if (!sip.Account.TryCharge(Charge.Image, bytes)) error = "its image does not fit the kernel memory granted";
            else
            {
                // Not zeroed here: LoadAt writes every byte of it once (copied from the file or zeroed).
                mem = KernelReserve.AllowsSipGrant(bytes) ? PhysicalMemory.AllocateContiguous(pages, zero: false) : 0;
                if (mem == 0) { sip.Account.Release(Charge.Image, bytes); error = "not enough memory for the image"; }
            }
            if (mem != 0)
            {
                sip.ImageBase = mem;        // from here Terminate frees the image and gives its charge back
                sip.ImagePages = pages;
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            if (error == null)
            {
                error = elf.LoadAt((byte*)mem, hi - lo, manifest.RelocationsChecked, out bool relocationsSafe);
                if (error == null && relocationsSafe && !manifest.RelocationsChecked) SipManifest.NoteRelocationsChecked(image, size);
            }
            if (error != null)
            {
                sip.Terminate(SipState.Failed, -1, error);
                return null;
            }
            sip.ImageLow = lo;
            sip.Entry = mem + (elf.Entry - lo);

            // Start-up endpoints: what they take (path strings, tables, channels) is the SIP's.
            ulong recordMark = KernelHeap.BytesInUse;
            string[] exports = manifest.HasExports ? SipManifest.EndpointPaths(manifest.Json, manifest.Length, "exports", out error) : null;
            string[] imports = error == null && manifest.HasImports ? SipManifest.EndpointPaths(manifest.Json, manifest.Length, "imports", out error) : null;
            if (error == null) error = StartupEndpoints.Wire(sip, exports, imports);
            // A driver's hardware (IO/Drivers/IoManager.cs): granted now, or the start fails with why.
            // Most SIPs ask for none: the manifest facts say so without reading it again.
            if (error == null && s_driverGrants != null && manifest.MayAskForHardware) error = s_driverGrants(sip, manifest.Json, manifest.Length);
            Allocator.Free(exports);        // the paths themselves are the SIP's now (or freed)
            Allocator.Free(imports);
            if (error != null)
            {
                sip.Terminate(SipState.Failed, -1, error);
                return null;
            }

            Thread main = CreateSipThread(sip, 0, 0);
            if (main == null)
            {
                error = "not enough memory (or kernel memory granted) for the main thread";
                sip.Terminate(SipState.Failed, -1, error);
                return null;
            }
            sip.Started = true;
            if (s_deferred != null && s_deferredCount < s_deferred.Length) s_deferred[s_deferredCount++] = main;
            else Scheduler.Start(main);
            return sip;
        }

        private static delegate*<Sip, byte*, ulong, string> s_driverGrants;

        /// <summary>Registers what grants a driver SIP its hardware at start (the I/O manager, a layer above; Boot/Kernel.cs ConnectLayers).</summary>
        public static void SetDriverGrants(delegate*<Sip, byte*, ulong, string> grant) => s_driverGrants = grant;

        // Main threads of SIPs started at boot, held until every boot SIP is loaded.
        private static Thread[] s_deferred;
        private static int s_deferredCount;

        /// <summary>
        /// From now until <see cref="StartDeferred"/>, SIPs are loaded but not run: boot modules and
        /// system-manifest services get their ids in boot order, before any of them starts a child.
        /// </summary>
        public static void DeferStarts()
        {
            s_deferred = new Thread[256];
            s_deferredCount = 0;
        }

        /// <summary>Runs every SIP loaded since <see cref="DeferStarts"/>, in the order they were loaded.</summary>
        public static void StartDeferred()
        {
            Thread[] held = s_deferred;
            int n = s_deferredCount;
            s_deferred = null;
            s_deferredCount = 0;
            if (held == null) return;
            for (int i = 0; i < n; i++) Scheduler.Start(held[i]);
            Allocator.Free(held);
        }

        // A thread record's size, last measured (its kernel-heap blocks); checked against the grant before one is made.
        private static ulong s_threadRecordBytes = 4096;

        /// <summary>
        /// A thread of the SIP: the main thread when entry is 0, else entry(argument) in the SIP.
        /// Null when its stacks and record do not fit the SIP's kernel grant (or an ancestor's), or
        /// memory less the kernel's reserve. Its stacks and record are charged to the SIP.
        /// </summary>
        public static Thread CreateSipThread(Sip sip, ulong entry, ulong argument)
        {
            ulong flags = Cpu.ReadRflags();
            Cpu.DisableInterrupts();
            Thread t = null;
            ulong stacks = Thread.StackBytesPerSipThread;
            if (sip.Account.Fits(Charge.Stacks, stacks + s_threadRecordBytes)
                && KernelReserve.AllowsSipGrant(stacks + s_threadRecordBytes + 4 * PhysicalMemory.PageSize))
            {
                ulong mark = KernelHeap.BytesInUse;
                ThreadPriority priority = sip.Share.Grant.InitialPriority;
                t = entry == 0
                    ? Thread.Create(sip.Name, &RunMain, 0, priority, sip)
                    : Thread.Create(sip.Name, &RunThread, argument, priority, sip);
                if (t != null)
                {
                    ulong record = KernelHeap.BytesInUse - mark;
                    if (record > s_threadRecordBytes) s_threadRecordBytes = record;
                    sip.Account.Force(Charge.Stacks, stacks);
                    sip.Account.Force(Charge.Threads, record);
                    t.RecordCharge = record;
                    t.SipEntry = entry;
                    sip.AddThread(t);
                }
            }
            if ((flags & (1 << 9)) != 0) Cpu.EnableInterrupts();
            return t;
        }

        // Runs on the SIP's main thread: enter the image with the ABI table and start-up info.
        private static void RunMain(ulong unused)
        {
            Thread me = Scheduler.Current;
            Sip sip = Sip.Of(me);
            // Freed when the SIP ends (it usually exits through the ABI, never returning here); part
            // of its record. Interrupts off: the measure is this allocation's alone.
            Cpu.DisableInterrupts();
            ulong mark = KernelHeap.BytesInUse;
            var info = (SipStartInfo*)KernelHeap.Allocate((ulong)sizeof(SipStartInfo));
            sip.StartInfo = info;
            info->SipId = sip.Id;
            info->ExchangeTag = (int)sip.ExchangeTag;
            info->ImageBase = sip.ImageBase;
            info->ImageSize = sip.ImagePages * PhysicalMemory.PageSize;
            info->HeapQuota = sip.HeapQuota;
            info->Name = ToAscii(sip.Name);
            info->Arguments = ToAscii(sip.Arguments);
            sip.ChargeRecord(KernelHeap.BytesInUse - mark);
            Cpu.EnableInterrupts();
            // _start(abi, info) on the SIP stack; it returns the exit code (docs/abi.md).
            int code;
            fixed (ulong* slot = &me.AbiSlot)
                code = (int)Arch.KernelEntry.CallSip(sip.Entry, (ulong)s_abi, (ulong)info, me.SipStackTop, slot);
            // The runtime normally exits through the ABI; returning is an exit too (the start info
            // goes with the SIP). Interrupts off until the dead thread is queued for reaping (see
            // ProcessSyscalls.AbiExitProcess).
            Cpu.DisableInterrupts();
            sip.Terminate(SipState.Exited, code, null);
            Scheduler.LeaveDeadThread();
        }

        private static void RunThread(ulong argument)
        {
            Thread me = Scheduler.Current;
            fixed (ulong* slot = &me.AbiSlot)
                Arch.KernelEntry.CallSip(me.SipEntry, argument, 0, me.SipStackTop, slot);
            Scheduler.Exit(0);
        }

        private static byte* ToAscii(string s)
        {
            s ??= "";
            byte* p = (byte*)KernelHeap.Allocate((ulong)s.Length + 1);
            for (int i = 0; i < s.Length; i++) p[i] = (byte)s[i];
            return p;
        }
    }
}
