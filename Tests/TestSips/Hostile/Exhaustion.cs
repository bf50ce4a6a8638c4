using System;
using Singularity;
using Singularity.Channels;
using Singularity.Ipc;      // Exchange.BytesOwned
using Singularity.Threading;

/// <summary>
/// Resource exhaustion that must be an error for this SIP, never for the kernel or another SIP:
/// channels, exchange blocks, threads, handles, names, child SIPs (each until refused, then
/// released, several times over so a per-use leak shows in the kernel's memory), and deep
/// recursion and heap growth, which end this SIP.
/// </summary>
internal static class Exhaustion
{
    public static int Run(string what)
    {
        var p = new Probes("exhaust " + what);
        if (what == "channels") Channels(p);
        else if (what == "blocks") Blocks(p);
        else if (what == "threads") Threads(p);
        else if (what == "handles") HandleTable(p);
        else if (what == "names") NameLookups(p);
        else if (what == "sips") ChildSips(p);
        else if (what == "recursion") return Recurse(0) == 0 ? 3 : 4;
        else if (what == "heap") return Heap(p);
        else { p.Say("unknown resource '" + what + "'"); return 2; }
        return p.Finish();
    }

    // Verified code keeps no tracked values in arrays (SV0304); a MessageFrame is plain data, so the
    // many channels and buffers of these bombs are parked in frames (at most four handles each).

    // Channels until the kernel refuses one, then close them all; 20 times.
    private static void Channels(Probes p)
    {
        var ends = new MessageFrame[300];       // both ends of one channel each
        int first = -1;
        bool same = true;
        for (int round = 0; round < 20; round++)
        {
            int n = 0;
            try
            {
                while (n < ends.Length)
                {
                    EndpointHandle.CreateChannel(out EndpointHandle x, out EndpointHandle y);
                    ends[n].PutEndpoint(x);
                    ends[n].PutEndpoint(y);
                    n++;
                }
            }
            catch (OutOfMemoryException) { }
            if (first < 0) { first = n; p.Say("the kernel refused channel " + (first + 1).ToString()); }
            same &= n == first;
            for (int i = 0; i < n; i++)
            {
                if (i == 0) same &= CarriesOne(ends[0].TakeEndpoint(), ends[0].TakeEndpoint());
                else { Wire.From(ends[i].TakeEndpoint()).Close(); Wire.From(ends[i].TakeEndpoint()).Close(); }
                ends[i] = default;
            }
        }
        p.Check("channel creation was refused at the same count in each of 20 rounds (" + first.ToString() + ")", same && first > 0 && first < 300);
    }

    private static bool CarriesOne([Claims] EndpointHandle x, [Claims] EndpointHandle y)
    {
        Wire tx = Wire.From(x);
        try
        {
            Wire rx = Wire.From(y);
            try
            {
                var m = new MessageFrame { Tag = 1 };
                tx.Send(ref m);
                return rx.Receive(out MessageFrame r, 0) == ReceiveResult.Message && r.Tag == 1;
            }
            finally { rx.Close(); }
        }
        finally { tx.Close(); }
    }

    // Exchange blocks until refused; free them; 3 times. Then the SIP can still allocate.
    private static void Blocks(Probes p)
    {
        var blocks = new MessageFrame[5000];    // four buffers each
        int first = -1;
        for (int round = 0; round < 3; round++)
        {
            int n = Fill(blocks, 1);
            if (first < 0) { first = n; p.Say("the kernel refused exchange block " + (n + 1).ToString()); }
            Drain(blocks, n);
        }
        p.Check("exchange blocks: refused before the system-wide table is full (" + first.ToString() + " taken)", first > 0 && first < 16384 / 2);
        var big = new MessageFrame[5];
        int bigs = Fill(big, 1024 * 1024);
        p.Check("1 MiB blocks: refused at the 16 MiB exchange quota (" + bigs.ToString() + " taken)", bigs == 16);
        Drain(big, bigs);
        ExBuffer after = ExBuffer.Allocate(100);
        after.Free();
        p.Check("allocation works after exhaustion", Exchange.BytesOwned == 0);
    }

    // Buffers of `size` bytes into the frames until the kernel refuses one, or `max` are in; how many.
    internal static int Fill(MessageFrame[] frames, int size, int max)
    {
        var count = new int[1];     // the count survives the refusal
        try { FillUntilRefused(frames, size, max, count); }
        catch (OutOfMemoryException) { }
        return count[0];
    }

    internal static int Fill(MessageFrame[] frames, int size) => Fill(frames, size, frames.Length * MessageFrame.MaxHandles);

    // No catch here: a buffer is in a frame the moment it exists, so nothing is owned when the kernel refuses.
    private static void FillUntilRefused(MessageFrame[] frames, int size, int max, int[] count)
    {
        while (count[0] < max)
        {
            frames[count[0] / MessageFrame.MaxHandles].PutBuffer(ExBuffer.Allocate(size));
            count[0]++;
        }
    }

    private static void Drain(MessageFrame[] frames, int n)
    {
        for (int i = 0; i < n; i++) { ExBuffer b = frames[i / MessageFrame.MaxHandles].TakeBuffer(); b.Free(); }
        for (int i = 0; i < frames.Length; i++) frames[i] = default;
    }

    // Threads until refused (each waits on an event); release them; twice.
    private static void Threads(Probes p)
    {
        int first = -1;
        for (int round = 0; round < 2; round++)
        {
            var gate = new Event(true, false);
            var threads = new Thread[400];
            int n = 0;
            try
            {
                while (n < threads.Length)
                {
                    threads[n] = Thread.Start(() => gate.Wait());
                    n++;
                    if (n % 16 == 0) Thread.Sleep(1);
                }
            }
            catch (InvalidOperationException e) { if (first < 0) p.Say("thread " + (n + 1).ToString() + " refused: " + e.Message); }
            if (first < 0) first = n;
            gate.Set();
            for (int i = 0; i < n; i++) threads[i].Join();
        }
        p.Check("thread creation refused at " + first.ToString() + " threads", first > 0 && first < 400);
        var done = new Event(false, false);
        try { Thread.Start(() => done.Set()); done.Wait(2000); }
        catch (InvalidOperationException) { p.Say("no thread can start any more (thread handles are never released)"); }
    }

    // Fill the handle table with events, then ask for channels and threads: refused, nothing leaks.
    private static void HandleTable(Probes p)
    {
        // A name whose lookups succeed, so a bind gets as far as needing a handle.
        bool registered = ServiceListener.TryRegister("/hostile/listener", out ServiceListener connections);
        var events = new Event[400];
        int n = 0;
        try { while (n < events.Length) { events[n] = new Event(false, false); n++; } }
        catch (InvalidOperationException) { }
        p.Say(n.ToString() + " events fill the handle table");
        int refused = 0;
        for (int i = 0; i < 300; i++)
        {
            try { Wire.OpenAndClose(); }
            catch (OutOfMemoryException) { refused++; }
            if (EndpointHandle.TryBind("/hostile/listener", out EndpointHandle c)) { refused--; Wire.From(c).Close(); }
            try { Thread.Start(() => { }); }
            catch (InvalidOperationException) { refused++; }
        }
        p.Check("with a full handle table, 300 channels and 300 threads were refused (" + refused.ToString() + ")", refused == 600);
        events[0].Set();
        p.Check("the events still work", events[0].Wait(100));
        p.Check("the listener was registered", registered);
        if (registered) connections.Close();
    }

    // Name lookups that fail: each must cost the kernel nothing that stays.
    private static void NameLookups(Probes p)
    {
        int found = 0;
        string name = "/hostile/" + Probes.Repeat('n', 100);
        for (int i = 0; i < 3000; i++)
            if (EndpointHandle.TryBind(name, out EndpointHandle e)) { found++; Wire.From(e).Close(); }
        for (int i = 0; i < 500; i++)
            if (EndpointHandle.TryTakeStartup(name, out EndpointHandle e)) { found++; Wire.From(e).Close(); }
        for (int i = 0; i < 500; i++)
            if (ServiceListener.TryRegister("x-not-a-path-" + Probes.Repeat('r', 100), out ServiceListener l)) { found++; l.Close(); }
        p.Check("4,000 failed name lookups and registrations", found == 0);
    }

    // Start short-lived child SIPs one after the other.
    private static void ChildSips(Probes p)
    {
        int ok = 0;
        for (int i = 0; i < 40; i++)
        {
            if (!Processes.TryStart("hostile", "nop", out int id, out string error)) { p.Say("child " + i.ToString() + ": " + error); break; }
            if (Processes.Wait(id, 5000, out int code) == SipOutcome.Exited && code == 0) ok++;
        }
        p.Check("40 children started and exited", ok == 40);
    }

    private static int Recurse(int depth) => depth < 0 ? depth : Recurse(depth + 1) + 1;

    private sealed class Chunk { public Chunk Next; public byte[] Data; }

    // Grows the heap until the quota ends this SIP.
    private static int Heap(Probes p)
    {
        Chunk head = null;
        for (int i = 0; ; i++)
        {
            head = new Chunk { Next = head, Data = new byte[256 * 1024] };
            if (i % 16 == 0) p.Say((i / 4).ToString() + " MiB held");
        }
    }
}
