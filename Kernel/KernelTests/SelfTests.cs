using System.Runtime.CompilerServices;
using Singularity.Kernel.Arch;
using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Memory;

namespace Singularity.Kernel.Tests
{
    /// <summary>
    /// Kernel self-tests, chosen with `test=NAME` on the command line and asserted on by the
    /// QEMU test harness (Tests/Kernel.Tests). A test either prints `selftest NAME: passed`
    /// and shuts down, fails with `selftest NAME: FAILED ...`, or, for fault tests, panics.
    /// </summary>
    internal static unsafe class SelfTests
    {
        private sealed class Holder { public int Value; }
        private static Holder s_nothing;
        private static int s_zero;

        public static void Run(string name)
        {
            Log.Write("selftest "); Log.Write(name); Log.WriteLine(": running");
            switch (name)
            {
                case "nullderef": NullDereference(); break;
                case "divzero": DivideByZero(); break;
                case "stackoverflow": Recurse(0); break;
                case "throw": throw new System.InvalidOperationException("thrown by the throw self-test");
                case "timer": TimerAdvances(); break;
                case "heap": HeapPatterns(); break;
                case "heapexhaust": HeapExhaustion(); break;
                case "triplefault": TripleFault(); break;
                case "exceptions":
                    if (Singularity.Diagnostics.ExceptionScenarios.RunAll(new KernelScenarioLog()) != 0) Fail(name, "(see the eh lines above)");
                    break;
                case "threads": ThreadSelfTests.Run(); break;
                case "zeroonaccess": ZeroOnAccessSelfTest.Run(); break;
                case "frames": FrameAllocatorSelfTest.Run(); break;
                case "accounts": AccountSelfTest.Run(); break;
                case "bench-spawn": KernelBenchmarks.SipSpawn(); break;
                case "bench-throw": KernelBenchmarks.ThrowCatch(); break;
                case "bench-irq": InterruptLatencyProbe.Run(); break;
                default:
                    Log.Write("warning: unknown self-test '"); Log.Write(name);
                    Log.WriteLine("' (known: nullderef divzero stackoverflow throw timer heap heapexhaust triplefault threads zeroonaccess frames accounts exceptions bench-spawn bench-throw bench-irq)");
                    return;
            }
            Log.Write("selftest "); Log.Write(name); Log.WriteLine(": passed");
        }

        private sealed class KernelScenarioLog : Singularity.Diagnostics.ScenarioLog
        {
            public override void WriteLine(string line) => Log.WriteLine(line);
        }

        private static void Fail(string name, string what)
        {
            Log.Write("selftest "); Log.Write(name); Log.Write(": FAILED "); Log.WriteLine(what);
            Platform.Exit(Platform.ExitTestFailed);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void NullDereference()
        {
            Holder h = s_nothing;
            h.Value = 42;       // a store through null: ilc emits no check, page 0 faults
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static int DivideByZero()
        {
            int a = 1000;
            return a / s_zero;  // ilc relies on the CPU's #DE
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static int Recurse(int depth)
        {
            byte* pad = stackalloc byte[256];
            pad[depth & 255] = (byte)depth;
            return Recurse(depth + 1) + pad[(depth * 7) & 255];
        }

        private static void TimerAdvances()
        {
            ulong t0 = Clock.Ticks, ns0 = Clock.MonotonicNs;
            Clock.SleepMs(50);
            ulong t1 = Clock.Ticks, ns1 = Clock.MonotonicNs;
            Log.Write("timer: ticks "); Log.WriteDecimal(t0); Log.Write(" -> "); Log.WriteDecimal(t1);
            Log.Write(", monotonic ns "); Log.WriteDecimal(ns0); Log.Write(" -> "); Log.WriteDecimal(ns1);
            Log.WriteLine();
            if (t1 < t0 + 50) Fail("timer", "ticks did not advance by 50 in a 50 ms sleep");
            if (ns1 - ns0 < 50000000) Fail("timer", "the monotonic clock advanced less than 50 ms");
        }

        private static void HeapPatterns()
        {
            ulong baseBytes = KernelHeap.BytesInUse, baseBlocks = KernelHeap.BlocksInUse;
            ulong baseFree = PhysicalMemory.FreeBytes, baseLarge = KernelHeap.LargeFrames;
            const int N = 512;
            byte** blocks = (byte**)KernelHeap.Allocate(N * 8);
            ulong* sizes = (ulong*)KernelHeap.Allocate(N * 8);

            // Sizes across every class and the large path, each filled with its own pattern.
            for (int round = 0; round < 3; round++)
            {
                for (int i = 0; i < N; i++)
                {
                    ulong size = (ulong)(1 + (i * 37 + round * 101) % (i % 16 == 0 ? 20000 : 2048));
                    sizes[i] = size;
                    blocks[i] = (byte*)KernelHeap.Allocate(size);
                    for (ulong j = 0; j < size; j++)
                        if (blocks[i][j] != 0) Fail("heap", "a new block was not zeroed");
                    for (ulong j = 0; j < size; j++) blocks[i][j] = (byte)((ulong)i + j);
                }
                // No two live blocks overlap: every pattern is still intact.
                for (int i = 0; i < N; i++)
                    for (ulong j = 0; j < sizes[i]; j++)
                        if (blocks[i][j] != (byte)((ulong)i + j)) Fail("heap", "a block's contents were overwritten by another allocation");
                // Free every other block, then the rest, in a different order than allocated.
                for (int i = 0; i < N; i += 2) KernelHeap.Free(blocks[i]);
                for (int i = N - 1; i > 0; i -= 2) KernelHeap.Free(blocks[i]);
            }

            // Freed memory is reused: the same small size comes back at a just-freed address.
            byte* a = (byte*)KernelHeap.Allocate(100);
            KernelHeap.Free(a);
            byte* b = (byte*)KernelHeap.Allocate(100);
            if (a != b) Fail("heap", "a freed block was not reused");
            KernelHeap.Free(b);

            // Managed objects come from the same heap and can be given back.
            object o = new Holder();
            Allocator.Free(o);

            KernelHeap.Free(blocks);
            KernelHeap.Free(sizes);
            if (KernelHeap.BytesInUse != baseBytes || KernelHeap.BlocksInUse != baseBlocks)
                Fail("heap", "bytes or blocks in use did not return to the baseline after freeing everything");
            // Large blocks go back to the frame allocator; small-class pages stay with the heap
            // for reuse, so physical free memory drops by those pages only.
            Log.Write("heap: "); Log.WriteDecimal(KernelHeap.BlocksInUse); Log.Write(" blocks, ");
            Log.WriteDecimal(KernelHeap.BytesInUse); Log.Write(" bytes in use; physical free ");
            Log.WriteDecimal(baseFree / 1024); Log.Write(" -> "); Log.WriteDecimal(PhysicalMemory.FreeBytes / 1024);
            Log.WriteLine(" KiB");
            if (KernelHeap.LargeFrames != baseLarge)
                Fail("heap", "large blocks were not returned to the frame allocator");
        }

        // For the harness's own test: with an empty IDT no exception can be delivered, so the
        // CPU resets, which QEMU with -no-reboot reports as exit status 0.
        private static void TripleFault()
        {
            byte* idtr = stackalloc byte[10];
            for (int i = 0; i < 10; i++) idtr[i] = 0;
            Cpu.LoadIdt(idtr);
            Cpu.Breakpoint();
        }

        private static void HeapExhaustion()
        {
            // Allocate 1 MiB blocks until the heap gives out: that must be a clear panic.
            for (int i = 0; ; i++)
            {
                byte* p = (byte*)KernelHeap.Allocate(1024 * 1024);
                p[0] = 1;
            }
        }
    }
}
