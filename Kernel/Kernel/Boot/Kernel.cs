using System.Runtime;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;
using Singularity.Kernel.Console;
using Singularity.Kernel.Processes;
using Singularity.Kernel.Syscalls;
using Singularity.Kernel.Loader;
using Singularity.Kernel.IO;
using Singularity.Kernel.IO.Pci;
using Singularity.Kernel.IO.Drivers;
using Singularity.Kernel.IO.Iommu;
using Singularity.Kernel.Ipc;
using Singularity.Kernel.Runtime;
using Singularity.Kernel.Threading;

namespace Singularity.Kernel.Boot
{
    /// <summary>The kernel's entry point and boot sequence (docs/boot.md describes each step).</summary>
    internal static unsafe class Kernel
    {
        public const string Version = "0.1";

        /// <summary>
        /// Where a lower layer calls up, it calls what was registered here (docs/architecture.md,
        /// "The kernel's layers"): interrupts into fault handling, panic and the scheduler; a SIP's
        /// end into Ipc and IO. Function pointers only: this runs before memory is set up.
        /// </summary>
        private static void ConnectLayers()
        {
            InterruptDispatcher.SetFaultHandlers(&SipFaults.TryHandle, &ManagedFaults.TryRedirectKernelFault, &Panic.CpuException);
            InterruptDispatcher.SetZeroOnAccessHandler(&Paging.TryMapZeroedOnAccess);
            InterruptDispatcher.SetTickHandler(&IommuFaultPoll.OnTick);       // polls the IOMMU's fault records, then Scheduler.OnTick
            Thread.SetChannelStateHooks(&ThreadChannels.Attach, &ThreadChannels.Detach, &ChannelCalls.OnThreadEnd);
            SipEndHooks.Register(SipEndStep.Quiesce, &IoManager.Quiesce);
            DmaBuffers.Register();
            SipEndHooks.Register(SipEndStep.Ending, &NameService.OnSipEnding);
            SipLoader.SetDriverGrants(&IoManager.GrantAtStart);
            SipManifest.SetHardwareQuery(&IoManager.AsksForHardware);
            InterruptDispatcher.SetDeviceIrqHandler(&InterruptObjects.OnInterrupt);
            SipEndHooks.Register(SipEndStep.HandlesClosed, &ChannelCalls.ReleasePinsOf);
            SipEndHooks.Register(SipEndStep.ThreadsReleased, &ExchangeHeap.ReclaimAll);
            SipEndHooks.Register(SipEndStep.RecordFreed, &SerialInput.Forget);
        }

        // An interrupt stack (Gdt.IstStackSize bytes) with an unmapped guard page below it; its top.
        private static ulong NewIstStack()
        {
            ulong pages = Gdt.IstStackSize / PhysicalMemory.PageSize + 1;
            ulong mem = PhysicalMemory.AllocateContiguous(pages);
            if (mem == 0) Panic.Halt("no memory for interrupt stacks");
            Paging.Unmap(mem);
            return mem + pages * PhysicalMemory.PageSize;
        }

        [RuntimeExport("kmain")]
        public static void Main(uint magic, uint multibootInfo)
        {
            Serial16550.Initialize();
            ConnectLayers();
            Log.WriteLine("");
            Log.Write("Singularity "); Log.Write(Version); Log.WriteLine(" (C# kernel, ILCompiler, x86-64)");
            if (magic != MultibootInfo.BootloaderMagic)
                Panic.Halt("not started by a multiboot loader (bad magic in EAX)");

            var mb = new MultibootInfo(multibootInfo);
            KernelLayout* layout = KernelLayout.Get();

            // Memory first: everything after this may allocate.
            PhysicalMemory.Initialize(mb, layout);
            Paging.Initialize();
            Paging.Unmap(layout->BootStackGuard);
            Gdt.Initialize(layout->BootStackBottom, layout->BootStackTop, PhysicalMemory.AllocateFrame(), &NewIstStack);
            Idt.Initialize(layout, PhysicalMemory.AllocateFrame());
            KernelHeap.Initialize();
            string startupError = Internal.Runtime.ModuleStartup.Initialize((ulong*)layout->ModulesStart, (ulong*)layout->ModulesEnd);
            if (startupError != null) Panic.Halt(startupError);

            CommandLine options = CommandLine.Parse(mb.CommandLine);

            Pic.Initialize();
            Clock.Start();
            Cpu.EnableInterrupts();
            Clock.CalibrateTsc(10);
            Threading.Scheduler.Initialize(layout->BootStackBottom, layout->BootStackTop);
            AbiTable.Initialize();
            Ipc.ExchangeHeap.Initialize();
            Ipc.NameService.Initialize();
            Loader.ProcessManager.Initialize();
            StartupEndpoints.SetConsoleInputServer(new ConsoleInputServer());     // IO serves it; the loader below wires it
            SipExitLog.Initialize();
            InterruptObjects.Initialize();                                       // one slot per line, before any driver starts
            PciBus.Enumerate();                                                  // the device table drivers and `devices` read
            IntelIommu.Initialize();                                             // DMA confined, or the log says it is not
            DevicesCommand.Register();
            BootHooks.RunRegistrations();

            Log.Write("singularity: boot complete in "); Log.WriteDecimal(Clock.SinceResetMs);
            Log.Write(" ms; "); Log.WriteDecimal(PhysicalMemory.UsableBytes / 1024);
            Log.Write(" KiB usable memory, "); Log.WriteDecimal(PhysicalMemory.FreeBytes / 1024);
            Log.WriteLine(" KiB free");

            BootModules.Record(mb);
            if (options.Test != null) BootHooks.RunTest(options.Test);
            if (options.PanicAfterBoot) Panic.Halt("requested by the 'panic' kernel option");
            BootModules.StartAll(mb, options.Sips, options.SipQuotaMiB);
            if (options.Shutdown)
            {
                // Power off once every SIP started at boot has ended.
                BootModules.WaitForAll();
                Log.WriteLine("singularity: shutting down");
                Platform.Exit(Platform.ExitSuccess);
            }

            Log.WriteLine("singularity: idle");
            DebugConsole.Run();
        }
    }
}
