using System;
using Singularity;
using Singularity.Ipc;
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

    // Channels until the kernel refuses one, then close them all; 20 times.
    private static void Channels(Probes p)
    {
        var ends = new RawEndpoint[600];
        int first = -1;
        bool same = true;
        for (int round = 0; round < 20; round++)
        {
            int n = 0;
            try
            {
                while (n + 2 <= ends.Length)
                {
                    RawEndpoint.CreateChannel(out ends[n], out ends[n + 1]);
                    n += 2;
                }
            }
            catch (OutOfMemoryException) { }
            if (first < 0) { first = n / 2; p.Say("the kernel refused channel " + (first + 1).ToString()); }
            same &= n / 2 == first;
            var m = new RawMessage { Tag = 1 };
            if (n > 0 && (ends[0].Send(ref m, 0) != RecvStatus.Ok || ends[1].Receive(out RawMessage r, 0) != RecvStatus.Ok)) same = false;
            for (int i = 0; i < n; i++) ends[i].Close();
        }
        p.Check("channel creation was refused at the same count in each of 20 rounds (" + first.ToString() + ")", same && first > 0 && first < 300);
    }

    // Exchange blocks until refused; free them; 3 times. Then the SIP can still allocate.
    private static void Blocks(Probes p)
    {
        var blocks = new ExBlock[20000];
        int first = -1;
        for (int round = 0; round < 3; round++)
        {
            int n = 0;
            try { while (n < blocks.Length) blocks[n++] = ExBlock.Allocate(1); n = blocks.Length; }
            catch (OutOfMemoryException) { n--; }
            if (first < 0) { first = n; p.Say("the kernel refused exchange block " + (n + 1).ToString()); }
            for (int i = 0; i < n; i++) blocks[i].Free();
        }
        p.Check("exchange blocks: refused before the system-wide table is full (" + first.ToString() + " taken)", first > 0 && first < 16384 / 2);
        var big = new ExBlock[20];
        int bigs = 0;
        try { while (bigs < big.Length) big[bigs++] = ExBlock.Allocate(1024 * 1024); bigs = big.Length; }
        catch (OutOfMemoryException) { bigs--; }
        p.Check("1 MiB blocks: refused at the 16 MiB exchange quota (" + bigs.ToString() + " taken)", bigs == 16);
        for (int i = 0; i < bigs; i++) big[i].Free();
        ExBlock after = ExBlock.Allocate(100);
        after.Free();
        p.Check("allocation works after exhaustion", Exchange.BytesOwned == 0);
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
        RawEndpoint.CreateChannel(out RawEndpoint listener, out RawEndpoint connections);
        bool registered = Names.Register("/hostile/listener", listener);
        var events = new Event[400];
        int n = 0;
        try { while (n < events.Length) { events[n] = new Event(false, false); n++; } }
        catch (InvalidOperationException) { }
        p.Say(n.ToString() + " events fill the handle table");
        int refused = 0;
        for (int i = 0; i < 300; i++)
        {
            try { RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b); a.Close(); b.Close(); }
            catch (OutOfMemoryException) { refused++; }
            if (Names.TryBind("/hostile/listener", out RawEndpoint c)) { refused--; c.Close(); }
            try { Thread.Start(() => { }); }
            catch (InvalidOperationException) { refused++; }
        }
        p.Check("with a full handle table, 300 channels and 300 threads were refused (" + refused.ToString() + ")", refused == 600);
        events[0].Set();
        p.Check("the events still work", events[0].Wait(100));
        p.Check("the listener was registered", registered);
        connections.Close();
    }

    // Name lookups that fail: each must cost the kernel nothing that stays.
    private static void NameLookups(Probes p)
    {
        int found = 0;
        string name = "/hostile/" + Probes.Repeat('n', 100);
        for (int i = 0; i < 3000; i++)
            if (Names.TryBind(name, out RawEndpoint e)) { found++; e.Close(); }
        for (int i = 0; i < 500; i++)
            if (Names.TryTakeStartup(name, out RawEndpoint e)) { found++; e.Close(); }
        RawEndpoint.CreateChannel(out RawEndpoint l1, out RawEndpoint l2);
        for (int i = 0; i < 500; i++) Names.Register("x-not-a-path-" + Probes.Repeat('r', 100), l1);
        l1.Close(); l2.Close();
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
