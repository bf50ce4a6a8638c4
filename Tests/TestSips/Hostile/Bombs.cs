using System;
using Singularity;
using Singularity.Channels;
using Singularity.Ipc;      // Exchange.BytesOwned
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
        // Verified code keeps no tracked values in arrays (SV0304): the receiving ends are parked in
        // frames (plain data), the sending ends in TRefs.
        var ends = new MessageFrame[128];
        var senders = new TRef<Wire>[128];
        int channels = 0, messages = 0;
        long queued = 0;
        string refusal = "none";
        bool stop = false;
        while (!stop && channels < ends.Length)
        {
            EndpointHandle x, y;
            try { EndpointHandle.CreateChannel(out x, out y); }
            catch (OutOfMemoryException) { refusal = "channel " + (channels + 1).ToString(); break; }
            ends[channels].PutEndpoint(y);
            channels++;
            Wire tx = Wire.From(x);
            try { stop = FillQueue(tx, ref messages, ref queued, ref refusal); }
            finally { senders[channels - 1] = new TRef<Wire>(tx); }
        }
        return Hold(p, (queued / 1024).ToString() + " KiB queued in " + messages.ToString() + " messages on " + channels.ToString()
                       + " channels; refused: " + refusal + "; owned " + Exchange.BytesOwned.ToString() + " bytes");
    }

    // A queue holds 16 messages; then the next channel. True once the kernel refused something.
    private static bool FillQueue(Wire tx, ref int messages, ref long queued, ref string refusal)
    {
        const int blockSize = 256 * 1024;
        for (int m = 0; m < 16; m++)
        {
            var holder = new MessageFrame[1];
            int blocks = Exhaustion.Fill(holder, blockSize, 4);
            bool stop = blocks < 4;
            if (stop) refusal = "exchange block " + (messages * 4 + blocks + 1).ToString() + " after " + (queued / 1024).ToString() + " KiB queued";
            MessageFrame msg = holder[0];
            msg.Tag = m;
            if (blocks == 0) return true;
            // A refused send closes the sending end (ProtocolViolationException).
            try { tx.Send(ref msg); }
            catch (ProtocolViolationException e) { refusal = "send " + (messages + 1).ToString() + ": " + e.Message; return true; }
            messages++;
            queued += (long)blocks * blockSize;
            if (stop) return true;
        }
        return false;
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
            try { if (!ChurnOne(i)) p.Fail("channel " + (i + 1).ToString() + " does not carry a message"); }
            catch (OutOfMemoryException) { p.Fail("channel " + (i + 1).ToString() + " refused"); break; }
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
            try { Wire.OpenAndClose(); }
            catch (OutOfMemoryException) { refused++; }
        }
        p.Check("with " + n.ToString() + " events filling the handle table, 1000 channel creations refused (" + refused.ToString() + ")", refused == 1000);
        return p.Finish();
    }

    // One channel made and closed; every 1024th carries a message first.
    private static bool ChurnOne(int i)
    {
        Wire.NewChannel(out Wire a, out Wire b);
        try
        {
            if (i % 1024 != 0) return true;
            var m = new MessageFrame { Tag = i };
            a.Send(ref m);
            return b.Receive(out MessageFrame r, 0) == ReceiveResult.Message && r.Tag == i;
        }
        finally { a.Close(); b.Close(); }
    }

    /// <summary>
    /// An exchange-slot bomb: one-byte blocks until refused, in this SIP and in SIPs it starts
    /// (each doing the same); holds them.
    /// </summary>
    private static int Slots(Probes p, bool root)
    {
        var blocks = new MessageFrame[70000 / MessageFrame.MaxHandles];   // held, four buffers a frame
        int n = Exhaustion.Fill(blocks, 1);
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
