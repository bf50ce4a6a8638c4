using System;
using Singularity;
using Singularity.Ipc;
using Singularity.Threading;

/// <summary>
/// The accounting attacks of issue 13: each takes one kind of kernel resource until the kernel
/// refuses, by itself and through the SIPs it starts, so that whatever the kernel does not charge
/// to it shows as a panic, a refusal for a bystander, or memory that is not back after it is gone.
/// A "holding" mode then prints `holding: ...` and waits to be killed (the suite measures the
/// kernel's charges meanwhile); the SIPs it started end with it.
/// </summary>
internal static class Bombs
{
    public static int Run(string what)
    {
        int space = what.IndexOf(' ');
        string mode = space < 0 ? what : what.Substring(0, space);
        string rest = space < 0 ? "" : what.Substring(space + 1);
        var p = new Probes("bomb " + mode);
        if (mode == "spawn") return Spawn(p, root: true);
        if (mode == "spawnchild") return Spawn(p, root: false);
        if (mode == "flood") return Flood(p);
        if (mode == "churn") return Churn(p, rest.Length == 0 ? 100000 : ParseCount(rest));
        if (mode == "slots") return Slots(p, root: true);
        if (mode == "slotschild") return Slots(p, root: false);
        if (mode == "threads") return Threads(p, root: true);
        if (mode == "threadschild") return Threads(p, root: false);
        p.Say("unknown bomb '" + mode + "'");
        return 2;
    }

    private static int ParseCount(string s)
    {
        int n = 0;
        for (int i = 0; i < s.Length && s[i] >= '0' && s[i] <= '9' && n < 10000000; i++) n = n * 10 + (s[i] - '0');
        return n;
    }

    // Waits until killed (the SIPs it started live as long as it does).
    private static int Hold(Probes p, string what)
    {
        p.Say("holding: " + what);
        while (true) Thread.Sleep(1000);
    }

    // Starts copies of itself (which do the same) until the kernel refuses one.
    private static int StartUntilRefused(Probes p, string childMode, int max, out string refusal)
    {
        int started = 0;
        refusal = "none within " + max.ToString();
        while (started < max)
        {
            if (!Processes.TryStart("hostile", "bomb " + childMode, out int id, out string error)) { refusal = error; break; }
            started++;
        }
        return started;
    }

    /// <summary>
    /// A spawn bomb: SIPs that start SIPs that start SIPs, each until the kernel refuses, all
    /// staying alive. The root holds once refused.
    /// </summary>
    private static int Spawn(Probes p, bool root)
    {
        int n = StartUntilRefused(p, "spawnchild", 1000, out string refusal);
        if (!root)
        {
            // A child stays (so the tree keeps its memory) but does not report: the root does.
            while (true) Thread.Sleep(1000);
        }
        return Hold(p, "started " + n.ToString() + " SIPs (each starting more) before the kernel refused: " + refusal);
    }

    /// <summary>
    /// A channel flood: exchange blocks sent on its own channels and never received, until the
    /// kernel refuses a block, a channel or a send. Holds the queued messages.
    /// </summary>
    private static int Flood(Probes p)
    {
        const int blockSize = 256 * 1024;
        var ends = new RawEndpoint[256];
        int channels = 0, messages = 0;
        long queued = 0;
        string refusal = "none";
        bool stop = false;
        while (!stop && channels + 2 <= ends.Length)
        {
            try { RawEndpoint.CreateChannel(out ends[channels], out ends[channels + 1]); }
            catch (OutOfMemoryException) { refusal = "channel " + (channels / 2 + 1).ToString(); break; }
            RawEndpoint tx = ends[channels];
            channels += 2;
            // A queue holds 16 messages; then the next channel.
            for (int m = 0; m < 16 && !stop; m++)
            {
                var msg = new RawMessage { Tag = m };
                int blocks = 0;
                for (; blocks < 4; blocks++)
                {
                    ExBlock b;
                    try { b = ExBlock.Allocate(blockSize); }
                    catch (OutOfMemoryException) { refusal = "exchange block " + (messages * 4 + blocks + 1).ToString() + " after " + (queued / 1024).ToString() + " KiB queued"; stop = true; break; }
                    msg.Add(b);
                }
                if (blocks == 0) break;
                RecvStatus s = tx.Send(ref msg, 1000);
                if (s != RecvStatus.Ok) { refusal = "send " + (messages + 1).ToString() + ": status " + ((int)s).ToString(); stop = true; break; }
                messages++;
                queued += (long)blocks * blockSize;
            }
        }
        return Hold(p, (queued / 1024).ToString() + " KiB queued in " + messages.ToString() + " messages on " + (channels / 2).ToString()
                       + " channels; refused: " + refusal + "; owned " + Exchange.BytesOwned.ToString() + " bytes");
    }

    /// <summary>
    /// Channels created and closed, <paramref name="count"/> times, then creations the kernel must
    /// refuse (the handle table full): neither may cost the kernel anything that stays.
    /// </summary>
    private static int Churn(Probes p, int count)
    {
        ulong start = Clock.NowNs;
        int made = 0;
        for (int i = 0; i < count; i++)
        {
            RawEndpoint a, b;
            try { RawEndpoint.CreateChannel(out a, out b); }
            catch (OutOfMemoryException) { p.Fail("channel " + (i + 1).ToString() + " refused"); break; }
            if (i % 1024 == 0)
            {
                var m = new RawMessage { Tag = i };
                if (a.Send(ref m, 0) != RecvStatus.Ok || b.Receive(out RawMessage r, 0) != RecvStatus.Ok || r.Tag != i) p.Fail("channel " + (i + 1).ToString() + " does not carry a message");
            }
            a.Close();
            b.Close();
            made++;
        }
        ulong ms = (Clock.NowNs - start) / 1000000;
        p.Check(made.ToString() + " channels created and closed in " + ms.ToString() + " ms", made == count);

        // Creations refused because the handle table is full.
        var events = new Event[400];
        int n = 0;
        try { while (n < events.Length) { events[n] = new Event(false, false); n++; } }
        catch (InvalidOperationException) { }
        int refused = 0;
        for (int i = 0; i < 1000; i++)
        {
            try { RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b); a.Close(); b.Close(); }
            catch (OutOfMemoryException) { refused++; }
        }
        p.Check("with " + n.ToString() + " events filling the handle table, 1000 channel creations refused (" + refused.ToString() + ")", refused == 1000);
        return p.Finish();
    }

    /// <summary>
    /// An exchange-slot bomb: one-byte blocks until refused, in this SIP and in SIPs it starts
    /// (each doing the same); holds them.
    /// </summary>
    private static int Slots(Probes p, bool root)
    {
        var blocks = new ExBlock[70000];
        int n = 0;
        try { while (n < blocks.Length) { blocks[n] = ExBlock.Allocate(1); n++; } }
        catch (OutOfMemoryException) { }
        if (!root) { while (true) Thread.Sleep(1000); }
        int children = StartUntilRefused(p, "slotschild", 8, out string refusal);
        return Hold(p, n.ToString() + " one-byte blocks, then " + children.ToString() + " SIPs taking blocks (refused: " + refusal + ")");
    }

    /// <summary>
    /// A thread bomb: threads until refused, in this SIP and in SIPs it starts (each doing the
    /// same); holds them.
    /// </summary>
    private static int Threads(Probes p, bool root)
    {
        var gate = new Event(true, false);
        int n = 0;
        string refusal = "none";
        try
        {
            while (n < 1000)
            {
                Thread.Start(() => gate.Wait());
                n++;
                if (n % 16 == 0) Thread.Sleep(1);
            }
        }
        catch (InvalidOperationException e) { refusal = e.Message; }
        if (!root) { while (true) Thread.Sleep(1000); }
        int children = StartUntilRefused(p, "threadschild", 1000, out string childRefusal);
        return Hold(p, n.ToString() + " threads (refused: " + refusal + "), then " + children.ToString() + " SIPs starting threads (refused: " + childRefusal + ")");
    }
}
