using System;
using Singularity;
using Singularity.Threading;

// Keeps objects alive only through its main thread's stack while as many threads as the kernel
// allows (and then one more, which must be refused) are alive and another thread fills the heap
// and forces collections: the collector must scan every thread's stack, the oldest included.
public static class Program
{
    private const int Arrays = 200, Ints = 250;     // 200 blocks of 1 KiB, filled with a pattern
    private const int MaxStarts = 70;               // more than any cap: the refusal must come first

    private sealed class Shared
    {
        public readonly Event Go = new Event(manualReset: true);
        public readonly Event Release = new Event(manualReset: true);
        public readonly Event PressureDone = new Event(manualReset: true);
        public ulong CollectionsDuring;
        public int[] Garbage;                       // the garbage escapes, so it really is heap garbage
    }

    public static int Main()
    {
        int[][] kept = Build();
        var shared = new Shared();
        var threads = new Thread[MaxStarts];
        int started = StartThreads(shared, threads, out string refused);
        Debug.WriteLine("gcroots: " + started.ToString() + " threads besides main; "
                        + (refused == null ? "none refused" : "the next one refused: " + refused));

        // Main waits in the kernel while the pressure thread collects: only its stack keeps `kept`.
        shared.Go.Set();
        shared.PressureDone.Wait();
        int corrupt = Corrupt(kept);

        shared.Release.Set();
        for (int i = 0; i < started; i++) threads[i].Join();
        Debug.WriteLine("gcroots: " + shared.CollectionsDuring.ToString() + " collections while main waited; "
                        + (corrupt == 0 ? "kept objects intact" : "FAILED " + corrupt.ToString() + " of " + Arrays.ToString() + " kept arrays corrupt"));
        return corrupt == 0 ? 0 : 1;
    }

    private static int[][] Build()
    {
        var kept = new int[Arrays][];
        for (int i = 0; i < Arrays; i++)
        {
            var a = new int[Ints];
            for (int j = 0; j < Ints; j++) a[j] = i * 1000 + j;
            kept[i] = a;
        }
        return kept;
    }

    private static int Corrupt(int[][] kept)
    {
        int bad = 0;
        for (int i = 0; i < Arrays; i++)
        {
            int[] a = kept[i];
            bool ok = a != null && a.Length == Ints;
            for (int j = 0; ok && j < Ints; j++) ok = a[j] == i * 1000 + j;
            if (!ok) bad++;
        }
        return bad;
    }

    // The pressure thread first, then blockers until the kernel refuses one.
    private static int StartThreads(Shared shared, Thread[] threads, out string refused)
    {
        refused = null;
        int n = 0;
        for (; n < MaxStarts; n++)
        {
            try
            {
                threads[n] = n == 0 ? Thread.Start(() => Pressure(shared)) : Thread.Start(() => shared.Release.Wait());
            }
            catch (InvalidOperationException e)
            {
                refused = e.Message;
                break;
            }
        }
        return n;
    }

    // Fills the heap with garbage of the kept arrays' size, collecting as it goes.
    private static void Pressure(Shared shared)
    {
        shared.Go.Wait();
        ulong before = Sip.Collections;
        for (int round = 0; round < 20000; round++)
        {
            var g = new int[Ints];
            for (int j = 0; j < Ints; j++) g[j] = 0x5A5A5A5A;
            shared.Garbage = g;
            if (round % 2000 == 0) Sip.Collect();
        }
        Sip.Collect();
        shared.CollectionsDuring = Sip.Collections - before;
        shared.PressureDone.Set();
    }
}
