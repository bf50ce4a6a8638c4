using System;
using Singularity;
using Singularity.Threading;

// Wants the CPU (Tests/Kernel.Tests/CpuShareTests.cs):
//   spin N LABEL      runs N threads (as many as the thread cap allows) that spin forever;
//   priority LABEL    tries every priority on its main thread, reports which the kernel refused,
//                     then starts one more thread and sleeps forever (for `ps`);
//   yield N LABEL     runs N threads that hand the CPU to each other with Thread.Yield forever
//                     (the scheduler's lean yield; Tests/Kernel.Tests/InjectedFaultTests.cs).
// LABEL only names the instance in its output ("cpuhog#ID LABEL: ...").
public static class Program
{
    // No mutable statics in a SIP: the spinning threads' counter lives in an object.
    private sealed class Sink { public volatile int Value; }

    public static int Main()
    {
        string args = Sip.Arguments;
        string mode = Word(args, 0);
        if (mode == "spin") return Spin(ParseInt(Word(args, 1), 1), Word(args, 2));
        if (mode == "priority") return Priorities(Word(args, 1));
        if (mode == "yield") return YieldForever(ParseInt(Word(args, 1), 2), Word(args, 2));
        Debug.WriteLine("cpuhog: unknown mode '" + mode + "' (spin N LABEL | priority LABEL | yield N LABEL)");
        return 2;
    }

    private static int Spin(int wanted, string label)
    {
        string me = "cpuhog#" + Sip.Id.ToString() + " " + label;
        var sink = new Sink();
        int running = 1;
        while (running < wanted)
        {
            try
            {
                Thread.Start(() => SpinForever(sink));
                running++;
            }
            catch (InvalidOperationException e)
            {
                Debug.WriteLine(me + ": " + e.Message);
                break;
            }
        }
        Debug.WriteLine(me + ": " + running.ToString() + " threads spinning");
        SpinForever(sink);
        return 0;
    }

    private static void SpinForever(Sink sink)
    {
        while (true) sink.Value++;
    }

    // N threads (this one included) that count and yield in turn, forever; every 10,000 yields of
    // this thread one line, so a test sees them still going.
    private static int YieldForever(int wanted, string label)
    {
        string me = "cpuhog#" + Sip.Id.ToString() + " " + label;
        var sink = new Sink();
        for (int i = 1; i < wanted; i++) Thread.Start(() => { while (true) { sink.Value++; Thread.Yield(); } });
        Debug.WriteLine(me + ": " + wanted.ToString() + " threads yielding");
        for (long round = 1; ; round++)
        {
            sink.Value++;
            Thread.Yield();
            if (round % 10000 == 0) Debug.WriteLine(me + ": " + round.ToString() + " yields");
        }
    }

    // Each priority from High down to Low, then Normal again (back up within the grant), and the
    // values no SIP may ever set. One line: "cpuhog#ID LABEL: high refused, normal ok, ...".
    private static int Priorities(string label)
    {
        string me = "cpuhog#" + Sip.Id.ToString() + " " + label;
        string report = Try("high", ThreadPriority.High) + ", " + Try("normal", ThreadPriority.Normal) + ", "
                      + Try("low", ThreadPriority.Low) + ", " + Try("normal", ThreadPriority.Normal) + ", "
                      + Try("0", (ThreadPriority)0) + ", " + Try("4", (ThreadPriority)4) + ", " + Try("-1", (ThreadPriority)(-1));
        Debug.WriteLine(me + ": " + report);
        // A new thread starts at Normal, or at the grant when that is lower (`ps` shows it).
        Thread.Start(() => { while (true) Thread.Sleep(1000); });
        Debug.WriteLine(me + ": done");
        while (true) Thread.Sleep(1000);
    }

    private static string Try(string name, ThreadPriority p)
    {
        try
        {
            Thread.SetCurrentPriority(p);
            return name + " ok";
        }
        catch (ArgumentOutOfRangeException)
        {
            return name + " refused";
        }
    }

    private static string Word(string s, int index)
    {
        int i = 0;
        for (int w = 0; ; w++)
        {
            while (i < s.Length && s[i] == ' ') i++;
            int start = i;
            while (i < s.Length && s[i] != ' ') i++;
            if (w == index) return s.Substring(start, i - start);
            if (i >= s.Length) return "";
        }
    }

    private static int ParseInt(string s, int fallback)
    {
        if (s.Length == 0 || s.Length > 6) return fallback;
        int v = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] < '0' || s[i] > '9') return fallback;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    }
}
