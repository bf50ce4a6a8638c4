using Singularity;
using Singularity.Threading;

// Micro-benchmarks of the kernel ABI, thread switching and the collector, in cycles
// (instructions under QEMU -icount shift=0). Each prints "bench NAME: N instructions".
public static class Program
{
    private const int Iterations = 2000;
    // SIPs have no mutable statics (the verifier refuses them): shared state lives in an object.
    private sealed class Handoff { public volatile int Turn; public volatile bool Done; }

    private sealed class Node { public Node Next; public byte[] Data; }

    public static int Main()
    {
        AbiCall();
        YieldRoundTrip();
        CollectOneMegabyte();
        ThrowCatch();
        return 0;
    }

    private static void Report(string name, ulong cycles, ulong count)
    {
        Debug.WriteLine("bench " + name + ": " + (cycles / count).ToString() + " instructions");
    }

    // A kernel ABI call as SIP code makes it: the runtime's wrapper plus the kernel entry point.
    private static void AbiCall()
    {
        int sink = 0;
        for (int i = 0; i < 100; i++) sink += Thread.CurrentId;       // warm up
        ulong t0 = Clock.ReadCycles();
        for (int i = 0; i < Iterations; i++) sink += Thread.CurrentId;
        ulong t1 = Clock.ReadCycles();
        ulong empty0 = Clock.ReadCycles();
        for (int i = 0; i < Iterations; i++) sink += i;
        ulong empty1 = Clock.ReadCycles();
        ulong loop = empty1 - empty0;
        Report("abi-call", (t1 - t0) > loop ? (t1 - t0) - loop : 0, Iterations);
        if (sink == 42) Debug.WriteLine("");
    }

    // Two threads hand the CPU back and forth with Yield: one round trip is two switches.
    private static void YieldRoundTrip()
    {
        var h = new Handoff();
        Thread other = Thread.Start(() =>
        {
            while (!h.Done) { if (h.Turn == 1) h.Turn = 0; Thread.Yield(); }
        });
        for (int i = 0; i < 50; i++) { h.Turn = 1; while (h.Turn == 1) Thread.Yield(); }   // warm up
        ulong t0 = Clock.ReadCycles();
        for (int i = 0; i < Iterations; i++)
        {
            h.Turn = 1;
            while (h.Turn == 1) Thread.Yield();
        }
        ulong t1 = Clock.ReadCycles();
        h.Done = true;
        other.Join();
        Report("yield-round-trip", t1 - t0, Iterations);
    }

    // A full collection of a heap holding 1 MiB of live objects.
    private static void CollectOneMegabyte()
    {
        Node head = null;
        for (int i = 0; i < 1024; i++) head = new Node { Next = head, Data = new byte[1000] };
        Sip.Collect();
        ulong t0 = Clock.ReadCycles();
        Sip.Collect();
        ulong t1 = Clock.ReadCycles();
        int n = 0;
        for (Node p = head; p != null; p = p.Next) n++;
        Report("gc-1mb", t1 - t0, 1);
        if (n != 1024) Debug.WriteLine("bench: FAILED the live list lost nodes");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Thrower(System.Exception e) => throw e;

    // A throw caught one frame up: the first pass finds the catch, the second calls it.
    private static void ThrowCatch()
    {
        var e = new System.InvalidOperationException("bench");
        int caught = 0;
        for (int i = 0; i < 20; i++) { try { Thrower(e); } catch (System.InvalidOperationException) { caught++; } }
        ulong t0 = Clock.ReadCycles();
        for (int i = 0; i < Iterations; i++) { try { Thrower(e); } catch (System.InvalidOperationException) { caught++; } }
        ulong t1 = Clock.ReadCycles();
        Report("throw-catch", t1 - t0, Iterations);
        if (caught != Iterations + 20) Debug.WriteLine("bench: FAILED a throw was not caught");
    }
}
