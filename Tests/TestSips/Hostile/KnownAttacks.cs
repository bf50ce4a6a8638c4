using System;
using Singularity;
using Singularity.Threading;

/// <summary>The attacks issue 12 reported against the collector and the core library.</summary>
internal static class KnownAttacks
{
    private sealed class Victim
    {
        public long A;
        public long B;
        public string Tag;
        public Victim Self;
    }

    /// <summary>
    /// Objects reachable only from the main thread's stack must survive collections however many
    /// other threads the SIP runs (the collector once scanned at most 64 stacks, newest first,
    /// so with 65 threads the main thread's objects were freed and reused: type confusion).
    /// Exits 0 if they are intact (or the runtime refused the threads), 1 if they were reused.
    /// </summary>
    public static int GcRoots()
    {
        var p = new Probes("gcroots");
        Victim v0 = NewVictim(0), v1 = NewVictim(1), v2 = NewVictim(2), v3 = NewVictim(3);
        var gate = new Event(true, false);
        int started = 0;
        for (int i = 0; i < 100; i++)
        {
            try
            {
                Thread.Start(() => gate.Wait());
            }
            catch (InvalidOperationException e)
            {
                p.Say("thread " + i.ToString() + " refused: " + e.Message);
                break;
            }
            started++;
            if (i % 8 == 7) Thread.Sleep(1);     // let them start (the runtime parks at most 64 at once)
        }
        p.Say(started.ToString() + " other threads are waiting; collecting");
        for (int round = 0; round < 20; round++)
        {
            Sip.Collect();
            // Churn: new objects of the same size take any block the collector wrongly freed.
            var churn = new Victim[300];
            for (int j = 0; j < churn.Length; j++) churn[j] = new Victim { A = -1, B = -1, Tag = "churn" };
        }
        bool intact = Intact(v0, 0) && Intact(v1, 1) && Intact(v2, 2) && Intact(v3, 3);
        gate.Set();
        if (!intact)
        {
            p.Say("CORRUPT: an object reachable only from the main thread's stack was freed and reused");
            return 1;
        }
        p.Say("objects on the main thread's stack intact after 20 collections with " + started.ToString() + " other threads");
        return 0;
    }

    private static Victim NewVictim(int i)
    {
        var v = new Victim { A = 0x1111 + i, B = 0x2222 + i, Tag = "main-stack-" + i.ToString() };
        v.Self = v;
        return v;
    }

    private static bool Intact(Victim v, int i) =>
        v.A == 0x1111 + i && v.B == 0x2222 + i && v.Self == v && v.Tag == "main-stack-" + i.ToString();

    /// <summary>
    /// string.Concat(params string[]) with 65,537 references to one 65,536-character string: the
    /// total length is 2^32 + 65,536 characters, which must be refused with an exception (the
    /// core library once summed it in an unchecked int, allocated 65,536 characters and copied
    /// 8 GiB over whatever lay above). Exits 0 when the exception was caught.
    /// </summary>
    public static int ConcatOverflow()
    {
        var p = new Probes("concat");
        string s = "x";
        while (s.Length < 65536) s = s + s;
        var parts = new string[65537];
        for (int i = 0; i < parts.Length; i++) parts[i] = s;
        p.Say("concatenating " + parts.Length.ToString() + " strings of " + s.Length.ToString() + " characters");
        try
        {
            string r = string.Concat(parts);
            p.Say("UNEXPECTED: Concat returned a string of " + r.Length.ToString() + " characters");
            return 1;
        }
        catch (Exception e)
        {
            if (!Probes.IsClean(e)) { p.Say("UNEXPECTED: Concat threw " + e.TypeName); return 1; }
            p.Say("caught " + e.TypeName + ": " + e.Message);
            return 0;
        }
    }
}
