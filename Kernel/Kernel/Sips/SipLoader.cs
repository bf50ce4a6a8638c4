using Singularity.Abi;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel
{
    /// <summary>
    /// Places a SIP image into the single address space, relocates it, and starts its main
    /// thread with the kernel ABI table. Images come from boot modules.
    /// </summary>
    internal static unsafe class SipLoader
    {
        /// <summary>
        /// Loads and starts a SIP; on failure returns null and sets <paramref name="error"/>.
        /// <paramref name="heapQuota"/> applies unless the image's manifest declares its own;
        /// <paramref name="cpu"/> is its CPU share and priority ceiling (never from its own manifest).
        /// </summary>
        public static Sip Start(string name, string arguments, byte* image, ulong size, ulong heapQuota, CpuGrant cpu, out string error)
        {
            var elf = new ElfImage(image, size);
            error = elf.Validate();
            if (error != null) return null;
            byte* manifest = SipManifest.Find(ref elf, out ulong manifestLength);
            ulong declared = SipManifest.HeapQuota(manifest, manifestLength);
            if (declared != 0) heapQuota = declared;
            elf.Span(out ulong lo, out ulong hi);
            ulong pages = (hi - lo) / PhysicalMemory.PageSize;
            ulong mem = PhysicalMemory.AllocateContiguous(pages);
            if (mem == 0) { error = "not enough memory for the image"; return null; }
            error = elf.LoadAt((byte*)mem, hi - lo);
            if (error != null) { PhysicalMemory.FreeContiguous(mem, pages); return null; }

            var sip = new Sip(name, arguments, heapQuota);
            sip.Share = new CpuShare(cpu);
            sip.Elf = elf;
            sip.ImageBase = mem;
            sip.ImagePages = pages;
            sip.ImageLow = lo;
            sip.Entry = mem + (elf.Entry - lo);

            string[] exports = SipManifest.EndpointPaths(manifest, manifestLength, "exports", out error);
            string[] imports = error == null ? SipManifest.EndpointPaths(manifest, manifestLength, "imports", out error) : null;
            if (error == null) error = StartupEndpoints.Wire(sip, exports, imports);
            if (error != null)
            {
                sip.Terminate(SipState.Failed, -1, error);
                return null;
            }

            Thread main = CreateSipThread(sip, 0, 0);
            if (main == null)
            {
                error = "not enough memory for the main thread";
                sip.Terminate(SipState.Failed, -1, error);
                return null;
            }
            SipTable.Add(sip);
            Scheduler.Start(main);
            return sip;
        }

        /// <summary>A thread of the SIP: the main thread when entry is 0, else entry(argument) in the SIP.</summary>
        public static Thread CreateSipThread(Sip sip, ulong entry, ulong argument)
        {
            ThreadPriority priority = sip.Share.Grant.InitialPriority;
            Thread t = entry == 0
                ? Thread.Create(sip.Name, &RunMain, 0, priority, sip)
                : Thread.Create(sip.Name, &RunThread, argument, priority, sip);
            if (t == null) return null;
            t.SipEntry = entry;
            sip.AddThread(t);
            return t;
        }

        // Runs on the SIP's main thread: enter the image with the ABI table and start-up info.
        private static void RunMain(ulong unused)
        {
            Thread me = Scheduler.Current;
            Sip sip = me.Owner;
            var info = (SipStartInfo*)KernelHeap.Allocate((ulong)sizeof(SipStartInfo));
            sip.StartInfo = info;           // freed when the SIP ends (it usually exits through the ABI, never returning here)
            info->SipId = sip.Id;
            info->ImageBase = sip.ImageBase;
            info->ImageSize = sip.ImagePages * PhysicalMemory.PageSize;
            info->HeapQuota = sip.HeapQuota;
            info->Name = ToAscii(sip.Name);
            info->Arguments = ToAscii(sip.Arguments);
            // _start(abi, info) on the SIP stack; it returns the exit code (docs/abi.md).
            int code;
            fixed (ulong* slot = &me.AbiSlot)
                code = (int)Arch.KernelEntry.CallSip(sip.Entry, (ulong)AbiEntryPoints.Table, (ulong)info, me.SipStackTop, slot);
            // The runtime normally exits through the ABI; returning is an exit too (the start info
            // goes with the SIP). Interrupts off until the dead thread is queued for reaping (see
            // AbiEntryPoints.AbiExitProcess).
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
