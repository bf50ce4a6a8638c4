using Singularity;
using Singularity.Threading;

// Threads inside one SIP: start/join, an event hand-off, and a mutex-protected counter.
public static class Program
{
    // No mutable statics in a SIP: the counter the workers share lives in an object.
    private sealed class Shared { public int Counter; }

    public static int Main()
    {
        var shared = new Shared();
        var ready = new Event();
        var mutex = new Mutex();
        int got = 0;
        Thread waiter = Thread.Start(() => { ready.Wait(); got = 42; });
        Thread.Sleep(20);
        ready.Set();
        if (!waiter.Join(2000)) { Debug.WriteLine("threadsdemo: FAILED join timed out"); return 1; }

        Thread[] workers = new Thread[4];
        for (int w = 0; w < workers.Length; w++)
            workers[w] = Thread.Start(() =>
            {
                for (int i = 0; i < 100; i++)
                {
                    mutex.Acquire();
                    int v = shared.Counter;
                    Thread.Yield();
                    shared.Counter = v + 1;
                    mutex.Release();
                }
            });
        for (int w = 0; w < workers.Length; w++) workers[w].Join();
        // A low-priority thread gets the CPU only when no normal one is ready.
        int order = 0;
        var go = new Event();
        Thread low = Thread.Start(() => { go.Wait(); order = order * 10 + 2; });
        low.SetPriority(ThreadPriority.Low);
        go.Set();
        Thread.Yield();                          // the low thread is ready, but this one outranks it
        order = order * 10 + 1;
        low.Join();
        bool priorityOk = order == 12;
        Debug.WriteLine("threadsdemo: event hand-off " + got.ToString() + ", mutex counter " + shared.Counter.ToString()
                        + " (expected 400), priority order " + order.ToString());
        return got == 42 && shared.Counter == 400 && priorityOk ? 0 : 1;
    }
}
