using System;
using System.Threading;
using Singularity;
using Singularity.Ipc;
using Thread = Singularity.Threading.Thread;
using Event = Singularity.Threading.Event;

/// <summary>
/// Threads of one SIP racing on runtime objects: freeing or sending one block twice, sending on
/// one endpoint at once, closing an endpoint another thread waits on, changing what a blocked
/// send carries, using a block while another thread frees it, collecting while allocating.
/// Whatever the interleaving, each object has one owner and the kernel's state stays consistent.
/// </summary>
internal static class Races
{
    public static int Run(string which)
    {
        var p = new Probes("races " + which);
        if (which == "ownership")
        {
            DoubleFree(p);
            ConcurrentSends(p);
            CloseWhileReceiving(p);
            CloseWhileSending(p);
            BlockSentWhileSendWaits(p);
            EndpointClosedWhileSendWaits(p);
            LeaveThreadsWaiting(p);
        }
        else if (which == "access") AccessDuringFree(p);
        else if (which == "gc") CollectWhileAllocating(p);
        else { p.Say("unknown race '" + which + "'"); return 2; }
        p.Check("no exchange memory left owned", Exchange.BytesOwned == 0);
        return p.Finish();
    }

    private sealed class Counter
    {
        public int Value;

        // Read through an atomic: a plain field read in a loop without calls may be hoisted.
        public bool IsSet => Interlocked.CompareExchange(ref Value, 0, 0) != 0;
    }

    // Two threads free (copies of) one block: exactly one succeeds.
    private static void DoubleFree(Probes p)
    {
        int wrong = 0;
        for (int round = 0; round < 40; round++)
        {
            ExBlock b = ExBlock.Allocate(64);
            var ok = new Counter();
            var go = new Event(true, false);
            Action free = () =>
            {
                go.Wait();
                try { b.Free(); Interlocked.Increment(ref ok.Value); }
                catch (InvalidOperationException) { }
            };
            Thread t1 = Thread.Start(free), t2 = Thread.Start(free);
            go.Set();
            t1.Join(); t2.Join();
            if (ok.Value != 1) wrong++;
        }
        p.Check("two threads freeing one block: exactly one succeeds, 40 rounds", wrong == 0);
    }

    // Four threads send on one endpoint; every message arrives exactly once.
    private static void ConcurrentSends(Probes p)
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        const int Threads = 4, Each = 100;
        var senders = new Thread[Threads];
        var failures = new Counter();
        for (int k = 0; k < Threads; k++)
        {
            int who = k;
            senders[k] = Thread.Start(() =>
            {
                for (int i = 0; i < Each; i++)
                {
                    var m = new RawMessage { Tag = 1, D0 = who * 1000 + i };
                    if (a.Send(ref m, 5000) != RecvStatus.Ok) Interlocked.Increment(ref failures.Value);
                }
            });
        }
        var seen = new bool[Threads * 1000];
        int received = 0, duplicates = 0;
        while (received < Threads * Each)
        {
            if (b.Receive(out RawMessage m, 5000) != RecvStatus.Ok) break;
            if (seen[m.D0]) duplicates++;
            seen[m.D0] = true;
            received++;
        }
        for (int k = 0; k < Threads; k++) senders[k].Join();
        p.Check("four threads sending on one endpoint: " + received.ToString() + " of 400 arrived once each", received == Threads * Each && duplicates == 0 && failures.Value == 0);
        a.Close(); b.Close();
    }

    // A thread blocked receiving on an endpoint that another thread closes returns at once.
    private static void CloseWhileReceiving(Probes p)
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        var result = new Counter { Value = -1 };
        ulong took = 0;
        var started = new Event(true, false);
        Thread r = Thread.Start(() =>
        {
            started.Set();
            ulong t0 = Clock.NowMs;
            result.Value = (int)b.Receive(out RawMessage m, 3000);
            took = Clock.NowMs - t0;
        });
        started.Wait();
        Thread.Sleep(50);
        b.Close();
        bool ended = r.Join(5000);
        p.Check("closing an endpoint another thread receives on ends the receive at once (" + Status(result.Value) + " after " + took.ToString() + " ms)",
                ended && result.Value != (int)RecvStatus.TimedOut && result.Value != (int)RecvStatus.Ok && took < 1500);
        a.Close();
    }

    // A thread blocked sending (the peer's queue is full) on an endpoint another thread closes returns at once.
    private static void CloseWhileSending(Probes p)
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        Fill(a);
        var result = new Counter { Value = -1 };
        ulong took = 0;
        var started = new Event(true, false);
        Thread s = Thread.Start(() =>
        {
            started.Set();
            ulong t0 = Clock.NowMs;
            var m = new RawMessage { Tag = 2 };
            result.Value = (int)a.Send(ref m, 3000);
            took = Clock.NowMs - t0;
        });
        started.Wait();
        Thread.Sleep(50);
        a.Close();
        bool ended = s.Join(5000);
        p.Check("closing an endpoint another thread sends on ends the send at once (" + Status(result.Value) + " after " + took.ToString() + " ms)",
                ended && result.Value != (int)RecvStatus.TimedOut && result.Value != (int)RecvStatus.Ok && took < 1500);
        b.Close();
    }

    // A send waits for room with a block; meanwhile another thread sends the same block elsewhere.
    // The block must be given away once: exactly one of the two sends succeeds (the runtime's
    // exchange guard refuses the second while the first is under way; the kernel re-checks what
    // a send carries after it waited), and the other is refused.
    private static void BlockSentWhileSendWaits(Probes p)
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        RawEndpoint.CreateChannel(out RawEndpoint c, out RawEndpoint d);
        Fill(a);
        ExBlock x = ExBlock.Allocate(128);
        var result = new Counter { Value = -1 };
        var started = new Event(true, false);
        Thread s = Thread.Start(() =>
        {
            var m = new RawMessage { Tag = 3 };
            m.Add(x);
            started.Set();
            result.Value = (int)a.Send(ref m, 5000);
        });
        started.Wait();
        Thread.Sleep(50);
        var other = new RawMessage { Tag = 4 };
        other.Add(x);
        bool sentElsewhere = c.Send(ref other, 1000) == RecvStatus.Ok;
        b.Receive(out RawMessage first, 1000);         // room: the waiting send goes on
        s.Join(5000);
        p.Check("a block sent by another thread while a send waited: given away once (waiting send " + Status(result.Value) + ", other send " + (sentElsewhere ? "Ok" : "refused") + ")",
                sentElsewhere != (result.Value == (int)RecvStatus.Ok) && (sentElsewhere || result.Value == (int)RecvStatus.Ok));
        // Whatever arrived, free what this SIP owns and close everything.
        if (d.Receive(out RawMessage fromC, 1000) == RecvStatus.Ok) FreeOwned(fromC);
        while (b.Receive(out RawMessage rest, 0) == RecvStatus.Ok) FreeOwned(rest);
        a.Close(); b.Close(); c.Close(); d.Close();
    }

    // A send waits for room with an endpoint; meanwhile another thread closes that endpoint and
    // creates an event, which takes the freed handle number. The waiting send must not take it.
    private static void EndpointClosedWhileSendWaits(Probes p)
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        RawEndpoint.CreateChannel(out RawEndpoint e1, out RawEndpoint e2);
        Fill(a);
        var result = new Counter { Value = -1 };
        var started = new Event(true, false);
        Thread s = Thread.Start(() =>
        {
            var m = new RawMessage { Tag = 5 };
            m.Add(e2);
            started.Set();
            result.Value = (int)a.Send(ref m, 5000);
        });
        started.Wait();
        Thread.Sleep(50);
        e2.Close();
        var ev = new Event(false, false);               // takes the lowest free handle: e2's
        b.Receive(out RawMessage first, 1000);
        s.Join(5000);
        ev.Set();
        bool eventWorks = ev.Wait(500);
        p.Check("an endpoint closed while a send carrying it waited: that send is refused (" + Status(result.Value) + ")",
                result.Value == (int)RecvStatus.BadMessage);
        p.Check("an event that took the closed endpoint's handle number keeps working", eventWorks);
        while (b.Receive(out RawMessage rest, 0) == RecvStatus.Ok) FreeOwned(rest);
        a.Close(); b.Close(); e1.Close();
    }

    // Threads still blocked in a receive, a send and a select when the SIP ends: the kernel must
    // free those channels all the same (the memory check after this attacker shows it).
    private static void LeaveThreadsWaiting(Probes p)
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        RawEndpoint.CreateChannel(out RawEndpoint c, out RawEndpoint d);
        RawEndpoint.CreateChannel(out RawEndpoint e, out RawEndpoint f);
        Fill(c);
        var set = new RawEndpoint[2];
        set[0] = e; set[1] = f;
        var blocked = new Counter();
        Thread.Start(() => { Interlocked.Increment(ref blocked.Value); b.Receive(out RawMessage m); });
        Thread.Start(() => { Interlocked.Increment(ref blocked.Value); var m = new RawMessage { Tag = 9 }; c.Send(ref m); });
        Thread.Start(() => { Interlocked.Increment(ref blocked.Value); RawEndpoint.Select(set); });
        while (Interlocked.CompareExchange(ref blocked.Value, 0, 0) < 3) Thread.Sleep(5);
        Thread.Sleep(20);
        p.Check("three threads are left blocked in a receive, a send and a select as the SIP ends", true);
    }

    // One thread copies into a block while another frees it and allocates a new block of the same
    // size (the kernel heap hands the same memory back): the copy must not reach the new block.
    private static void AccessDuringFree(Probes p)
    {
        const int Size = 2000;
        int corrupted = 0, rounds = 30;
        var source = new byte[Size];
        for (int i = 0; i < Size; i++) source[i] = 0xA5;
        var check = new byte[Size];
        for (int round = 0; round < rounds; round++)
        {
            ExBlock victim = ExBlock.Allocate(Size);
            var stop = new Counter();
            Thread writer = Thread.Start(() =>
            {
                try { for (int i = 0; i < 100000 && !stop.IsSet; i++) victim.CopyFrom(source, 0); }
                catch (InvalidOperationException) { }
            });
            Thread.Sleep(2 + round % 5);
            victim.Free();
            ExBlock fresh = ExBlock.Allocate(Size);
            var pattern = new byte[Size];
            for (int i = 0; i < Size; i++) pattern[i] = 0x5A;
            fresh.CopyFrom(pattern, 0);
            Interlocked.Exchange(ref stop.Value, 1);
            writer.Join();
            fresh.CopyTo(check, 0);
            for (int i = 0; i < Size; i++) if (check[i] != 0x5A) { corrupted++; break; }
            fresh.Free();
        }
        p.Check("a copy into a block another thread freed never reached the next block (" + corrupted.ToString() + " of " + rounds.ToString() + " rounds corrupted)", corrupted == 0);
    }

    private sealed class Item
    {
        public long Id;
        public long Check;
        public Item Next;
    }

    // One thread allocates and checks objects while another forces collections.
    private static void CollectWhileAllocating(Probes p)
    {
        var bad = new Counter();
        var stop = new Counter();
        Thread collector = Thread.Start(() =>
        {
            for (int i = 0; i < 300 && !stop.IsSet; i++) Sip.Collect();
            Interlocked.Exchange(ref stop.Value, 1);
        });
        var ring = new Item[64];
        long id = 0;
        while (!stop.IsSet)
        {
            var it = new Item { Id = id, Check = ~id };
            if (it.Id != id || it.Check != ~id) bad.Value++;
            ring[id % 64] = it;
            for (int k = 0; k < 64; k++)
            {
                Item r = ring[k];
                // Two allocations sharing one block would leave one ring slot holding the other's Id.
                if (r != null && (r.Check != ~r.Id || r.Next != null || r.Id % 64 != k)) { bad.Value++; ring[k] = null; }
            }
            id++;
        }
        collector.Join();
        p.Check("objects allocated while another thread collected stayed intact (" + id.ToString() + " allocated, " + Sip.Collections.ToString() + " collections)", bad.Value == 0);
    }

    private static void Fill(RawEndpoint a)
    {
        for (int i = 0; i < 64; i++)
        {
            var m = new RawMessage { Tag = 100 + i };
            if (a.Send(ref m, 0) != RecvStatus.Ok) return;
        }
    }

    private static void FreeOwned(RawMessage m)
    {
        for (int i = 0; i < m.HandleCount; i++)
        {
            if (m.IsBlock(i)) { ExBlock b = m.GetBlock(i); try { b.Free(); } catch (InvalidOperationException) { } }
            else m.GetEndpoint(i).Close();
        }
    }

    private static string Status(int s) => s < 0 ? "none" : ((RecvStatus)s) switch
    {
        RecvStatus.Ok => "Ok", RecvStatus.Closed => "Closed", RecvStatus.TimedOut => "TimedOut",
        RecvStatus.BadMessage => "BadMessage", _ => "BadHandle",
    };
}
