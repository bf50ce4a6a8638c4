using Singularity.Kernel.Diagnostics;
using Singularity.Kernel.Threading;
using Singularity.Kernel.Arch;

namespace Singularity.Kernel.Tests
{
    /// <summary>`test=threads`: preemption, yield, sleep, events, mutexes and priorities on kernel threads.</summary>
    internal static unsafe class ThreadSelfTests
    {
        private static ulong s_a, s_b, s_shared;
        private static volatile bool s_stop;
        private static Event s_event;
        private static Mutex s_mutex;
        private static ulong s_order;
        private static ulong s_highRanAt, s_normalRanAt;

        public static bool Run()
        {
            return Preemption() && Sleeping() && Events() && Mutexes() && Priorities();
        }

        private static void Counter(ulong which)
        {
            while (!s_stop) { if (which == 0) s_a++; else s_b++; }
        }

        private static void Spinner(ulong unused)
        {
            while (!s_stop) { }
        }

        // Two counting threads and one that spins without ever yielding: the timer must preempt it.
        private static bool Preemption()
        {
            s_stop = false;
            Thread a = Thread.Create("count-a", &Counter, 0, ThreadPriority.Normal, null);
            Thread b = Thread.Create("count-b", &Counter, 1, ThreadPriority.Normal, null);
            Thread spin = Thread.Create("spin", &Spinner, 0, ThreadPriority.Normal, null);
            Scheduler.Start(spin);
            Scheduler.Start(a);
            Scheduler.Start(b);
            ulong switches = Scheduler.ContextSwitches;
            Scheduler.Sleep(200 * 1000 * 1000);
            s_stop = true;
            Scheduler.Sleep(30 * 1000 * 1000);
            Log.Write("threads: preemption: a="); Log.WriteDecimal(s_a); Log.Write(" b="); Log.WriteDecimal(s_b);
            Log.Write(" switches="); Log.WriteDecimal(Scheduler.ContextSwitches - switches); Log.WriteLine();
            if (s_a == 0 || s_b == 0) return Fail("a thread that never yields starved the others");
            if (a.State != ThreadState.Dead || b.State != ThreadState.Dead) return Fail("threads did not exit");
            return true;
        }

        private static bool Sleeping()
        {
            ulong t0 = Clock.MonotonicNs;
            Scheduler.Sleep(30 * 1000 * 1000);
            ulong slept = Clock.MonotonicNs - t0;
            Log.Write("threads: sleep 30 ms took "); Log.WriteDecimal(slept / 1000); Log.WriteLine(" us");
            if (slept < 30 * 1000 * 1000) return Fail("sleep returned early");
            return true;
        }

        private static void EventWaiter(ulong unused)
        {
            s_event.Wait(0);
            s_order = s_order * 10 + 2;
        }

        private static bool Events()
        {
            s_event = new Event(false, false);
            s_order = 0;
            Thread w = Thread.Create("waiter", &EventWaiter, 0, ThreadPriority.Normal, null);
            Scheduler.Start(w);
            Scheduler.Sleep(20 * 1000 * 1000);
            s_order = s_order * 10 + 1;          // the waiter must still be blocked
            s_event.Set();
            Scheduler.Sleep(20 * 1000 * 1000);
            ulong t0 = Clock.MonotonicNs;
            bool signaled = s_event.Wait(25 * 1000 * 1000);   // nobody sets it: must time out
            ulong waited = Clock.MonotonicNs - t0;
            Log.Write("threads: event order "); Log.WriteDecimal(s_order); Log.Write(", timed wait ");
            Log.Write(signaled ? "signaled" : "timed out"); Log.Write(" after "); Log.WriteDecimal(waited / 1000); Log.WriteLine(" us");
            if (s_order != 12) return Fail("the event waiter did not block until Set");
            if (signaled || waited < 25 * 1000 * 1000) return Fail("a timed wait did not time out correctly");
            return true;
        }

        private static object s_lockObject;

        // useLock = 0: the kernel Mutex; 1: C# `lock` (the core library's Monitor).
        private static void MutexWorker(ulong useLock)
        {
            for (int i = 0; i < 200; i++)
            {
                if (useLock != 0)
                {
                    lock (s_lockObject) { IncrementSlowly(); }
                    continue;
                }
                s_mutex.Acquire(0);
                IncrementSlowly();
                s_mutex.Release();
            }
        }

        private static void IncrementSlowly()
        {
            ulong v = s_shared;
            Scheduler.Yield();               // invite the other worker into the critical section
            s_shared = v + 1;
        }

        private static bool Mutexes() => MutualExclusion(0, "mutex") && MutualExclusion(1, "lock");

        private static bool MutualExclusion(ulong useLock, string what)
        {
            s_mutex = new Mutex();
            s_lockObject = new object();
            s_shared = 0;
            Thread x = Thread.Create(what + "-x", &MutexWorker, useLock, ThreadPriority.Normal, null);
            Thread y = Thread.Create(what + "-y", &MutexWorker, useLock, ThreadPriority.Normal, null);
            Scheduler.Start(x);
            Scheduler.Start(y);
            while (x.State != ThreadState.Dead || y.State != ThreadState.Dead) Scheduler.Sleep(5 * 1000 * 1000);
            Log.Write("threads: "); Log.Write(what); Log.Write(" counter "); Log.WriteDecimal(s_shared); Log.WriteLine(" (expected 400)");
            if (s_shared != 400) return Fail("the " + what + " let two threads into the critical section");
            return true;
        }

        private static void Stamp(ulong high)
        {
            ulong now = Clock.MonotonicNs;
            if (high != 0) s_highRanAt = now; else s_normalRanAt = now;
        }

        private static bool Priorities()
        {
            s_highRanAt = s_normalRanAt = 0;
            Thread normal = Thread.Create("normal", &Stamp, 0, ThreadPriority.Normal, null);
            Thread high = Thread.Create("high", &Stamp, 1, ThreadPriority.High, null);
            // With interrupts off no tick can run the normal thread early: it is queued first,
            // then starting the high-priority thread must switch to it at once.
            Arch.Cpu.DisableInterrupts();
            Scheduler.Start(normal);
            Scheduler.Start(high);
            Arch.Cpu.EnableInterrupts();
            Scheduler.Sleep(20 * 1000 * 1000);
            Log.Write("threads: priority high ran ");
            Log.Write(s_highRanAt != 0 && s_highRanAt <= s_normalRanAt ? "first" : "later");
            Log.WriteLine();
            if (s_highRanAt == 0 || s_normalRanAt == 0 || s_highRanAt > s_normalRanAt)
                return Fail("a ready high-priority thread did not run before a normal one");
            return true;
        }

        private static bool Fail(string what)
        {
            Log.Write("selftest threads: FAILED "); Log.WriteLine(what);
            Platform.Exit(Platform.ExitTestFailed);
            return false;
        }
    }
}
