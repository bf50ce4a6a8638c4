using System;
using System.Threading;
using Singularity;
using Singularity.Channels;
using Singularity.Ipc;      // Exchange.BytesOwned
using Thread = Singularity.Threading.Thread;
using Event = Singularity.Threading.Event;

/// <summary>
/// Threads of one SIP racing on runtime objects: freeing or sending one block twice, sending on
/// one endpoint at once, closing an endpoint another thread waits on, changing what a blocked
/// send carries, using a block while another thread frees it, collecting while allocating.
/// Whatever the interleaving, each object has one owner and the kernel's state stays consistent.
/// Verified code cannot share a tracked value between threads, but a MessageFrame is plain data:
/// each thread takes its own view (a Wire or an ExBuffer) of the same handle from a copy of one
/// frame, which is the race an attacker sets up.
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

    // The capacity of a channel's queue (Kernel/Kernel/Ipc/Endpoint.cs): a further send waits.
    private const int QueueCapacity = 16;

    private static MessageFrame Holding([Claims] EndpointHandle h)
    {
        var f = new MessageFrame();
        f.PutEndpoint(h);
        return f;
    }

    private static MessageFrame Holding([Claims] ExBuffer b)
    {
        var f = new MessageFrame();
        f.PutBuffer(b);
        return f;
    }

    // Lets go of a view without closing or freeing what it names (another view does that, or the
    // SIP's end): a TRef or a frame that is dropped takes it.
    private static void LetGo([Claims] Wire w) { var cell = new TRef<Wire>(w); }

    private static void LetGo([Claims] ExBuffer b) { Holding(b); }

    // Two threads free (copies of) one block: exactly one succeeds.
    private static void DoubleFree(Probes p)
    {
        int wrong = 0;
        for (int round = 0; round < 40; round++)
        {
            MessageFrame holder = Holding(ExBuffer.Allocate(64));
            var ok = new Counter();
            var go = new Event(true, false);
            Action free = () =>
            {
                go.Wait();
                try { FreeFrom(holder); Interlocked.Increment(ref ok.Value); }
                catch (InvalidOperationException) { }
            };
            Thread t1 = Thread.Start(free), t2 = Thread.Start(free);
            go.Set();
            t1.Join(); t2.Join();
            if (ok.Value != 1) wrong++;
        }
        p.Check("two threads freeing one block: exactly one succeeds, 40 rounds", wrong == 0);
    }

    // Four threads send on one endpoint (each through its own Wire of the handle); every message arrives exactly once.
    private static void ConcurrentSends(Probes p)
    {
        EndpointHandle.CreateChannel(out EndpointHandle ah, out EndpointHandle bh);
        MessageFrame aFrame = Holding(ah);
        Wire b = Wire.From(bh);
        try
        {
            const int Threads = 4, Each = 100;
            var senders = new Thread[Threads];
            var failures = new Counter();
            for (int k = 0; k < Threads; k++)
            {
                int who = k;
                senders[k] = Thread.Start(() =>
                {
                    MessageFrame f = aFrame;
                    Wire a = Wire.From(f.TakeEndpoint());
                    try
                    {
                        for (int i = 0; i < Each; i++)
                        {
                            var m = new MessageFrame { Tag = 1 };
                            m.Put<long>(who * 1000 + i);
                            a.Send(ref m);
                        }
                    }
                    catch (ProtocolViolationException) { Interlocked.Increment(ref failures.Value); }
                    finally { LetGo(a); }
                });
            }
            var seen = new bool[Threads * 1000];
            int received = 0, duplicates = 0;
            while (received < Threads * Each)
            {
                if (b.Receive(out MessageFrame m, 5000) != ReceiveResult.Message) break;
                long id = m.Take<long>();
                if (seen[id]) duplicates++;
                seen[id] = true;
                received++;
            }
            for (int k = 0; k < Threads; k++) senders[k].Join();
            p.Check("four threads sending on one endpoint: " + received.ToString() + " of 400 arrived once each", received == Threads * Each && duplicates == 0 && failures.Value == 0);
        }
        finally
        {
            b.Close();
            MessageFrame f = aFrame;
            Wire.From(f.TakeEndpoint()).Close();
        }
    }

    // A thread blocked receiving on an endpoint that another thread closes returns at once.
    private static void CloseWhileReceiving(Probes p)
    {
        EndpointHandle.CreateChannel(out EndpointHandle ah, out EndpointHandle bh);
        MessageFrame bFrame = Holding(bh);
        var result = new Counter { Value = -1 };
        ulong took = 0;
        var started = new Event(true, false);
        Thread r = Thread.Start(() =>
        {
            MessageFrame f = bFrame;
            Wire b = Wire.From(f.TakeEndpoint());
            try
            {
                started.Set();
                ulong t0 = Clock.NowMs;
                result.Value = (int)b.Receive(out MessageFrame m, 3000);
                took = Clock.NowMs - t0;
            }
            finally { LetGo(b); }
        });
        started.Wait();
        Thread.Sleep(50);
        MessageFrame mine = bFrame;
        Wire.From(mine.TakeEndpoint()).Close();
        bool ended = r.Join(5000);
        p.Check("closing an endpoint another thread receives on ends the receive at once (" + Status(result.Value) + " after " + took.ToString() + " ms)",
                ended && result.Value == (int)ReceiveResult.ChannelClosed && took < 1500);
        Wire.From(ah).Close();
    }

    // A thread blocked sending (the peer's queue is full) on an endpoint another thread closes returns at once.
    private static void CloseWhileSending(Probes p)
    {
        EndpointHandle.CreateChannel(out EndpointHandle ah, out EndpointHandle bh);
        MessageFrame aFrame = Holding(ah);
        Wire b = Wire.From(bh);
        try
        {
            FillQueue(aFrame);
            var returned = new Counter();
            ulong took = 0;
            var started = new Event(true, false);
            Thread s = Thread.Start(() =>
            {
                MessageFrame f = aFrame;
                Wire a = Wire.From(f.TakeEndpoint());
                started.Set();
                ulong t0 = Clock.NowMs;
                try { var m = new MessageFrame { Tag = 2 }; a.Send(ref m); }
                catch (ProtocolViolationException) { }
                finally { LetGo(a); }
                took = Clock.NowMs - t0;
                Interlocked.Exchange(ref returned.Value, 1);
            });
            started.Wait();
            Thread.Sleep(50);
            MessageFrame mine = aFrame;
            Wire.From(mine.TakeEndpoint()).Close();
            bool ended = s.Join(5000);
            int arrived = 0;
            while (b.Receive(out MessageFrame m, 0) == ReceiveResult.Message) arrived++;
            p.Check("closing an endpoint another thread sends on ends the send at once (after " + took.ToString() + " ms), and its message never arrives (" + arrived.ToString() + " of " + QueueCapacity.ToString() + " queued)",
                    ended && returned.IsSet && took < 1500 && arrived == QueueCapacity);
        }
        finally { b.Close(); }
    }

    // A send waits for room with a block; meanwhile another thread sends the same block elsewhere.
    // The block must be given away once: exactly one of the two sends succeeds (the runtime's
    // exchange guard refuses the second while the first is under way; the kernel re-checks what
    // a send carries after it waited), and the other is refused (ProtocolViolationException).
    private static void BlockSentWhileSendWaits(Probes p)
    {
        EndpointHandle.CreateChannel(out EndpointHandle ah, out EndpointHandle bh);
        MessageFrame aFrame = Holding(ah);
        Wire b = Wire.From(bh);
        try
        {
            Wire.NewChannel(out Wire c, out Wire d);
            try
            {
                FillQueue(aFrame);
                MessageFrame carrying = Holding(ExBuffer.Allocate(128));
                var result = new Counter { Value = -1 };
                var started = new Event(true, false);
                Thread s = Thread.Start(() =>
                {
                    MessageFrame f = aFrame;
                    Wire a = Wire.From(f.TakeEndpoint());
                    var m = new MessageFrame { Tag = 3 };
                    m = carrying;
                    m.Tag = 3;
                    started.Set();
                    try { a.Send(ref m); result.Value = 1; }
                    catch (ProtocolViolationException) { result.Value = 0; }
                    finally { LetGo(a); }
                });
                started.Wait();
                Thread.Sleep(50);
                MessageFrame other = carrying;
                other.Tag = 4;
                bool sentElsewhere;
                try { c.Send(ref other); sentElsewhere = true; }
                catch (ProtocolViolationException) { sentElsewhere = false; }
                b.Receive(out MessageFrame first, 1000);         // room: the waiting send goes on
                s.Join(5000);
                bool waitingOk = result.Value == 1;
                p.Check("a block sent by another thread while a send waited: given away once (waiting send " + (waitingOk ? "Ok" : result.Value == 0 ? "refused" : "none") + ", other send " + (sentElsewhere ? "Ok" : "refused") + ")",
                        sentElsewhere != waitingOk);
                // Whatever arrived, free what this SIP owns.
                if (!d.IsClosed && d.Receive(out MessageFrame fromC, 1000) == ReceiveResult.Message) FreeOwned(fromC);
                while (b.Receive(out MessageFrame rest, 0) == ReceiveResult.Message) FreeOwned(rest);
            }
            finally { c.Close(); d.Close(); }
        }
        finally
        {
            b.Close();
            MessageFrame mine = aFrame;
            Wire.From(mine.TakeEndpoint()).Close();
        }
    }

    // A send waits for room with an endpoint; meanwhile another thread closes that endpoint and
    // creates an event, which takes the freed handle number. The waiting send must not take it.
    private static void EndpointClosedWhileSendWaits(Probes p)
    {
        EndpointHandle.CreateChannel(out EndpointHandle ah, out EndpointHandle bh);
        MessageFrame aFrame = Holding(ah);
        Wire b = Wire.From(bh);
        try
        {
            EndpointHandle.CreateChannel(out EndpointHandle e1h, out EndpointHandle e2h);
            Wire e1 = Wire.From(e1h);
            try
            {
                MessageFrame carrying = Holding(e2h);
                FillQueue(aFrame);
                var result = new Counter { Value = -1 };
                var started = new Event(true, false);
                Thread s = Thread.Start(() =>
                {
                    MessageFrame f = aFrame;
                    Wire a = Wire.From(f.TakeEndpoint());
                    MessageFrame m = carrying;
                    m.Tag = 5;
                    started.Set();
                    try { a.Send(ref m); result.Value = 1; }
                    catch (ProtocolViolationException) { result.Value = 0; }
                    finally { LetGo(a); }
                });
                started.Wait();
                Thread.Sleep(50);
                MessageFrame mine = carrying;
                Wire.From(mine.TakeEndpoint()).Close();
                var ev = new Event(false, false);               // takes the lowest free handle: e2's
                b.Receive(out MessageFrame first, 1000);
                s.Join(5000);
                ev.Set();
                bool eventWorks = ev.Wait(500);
                p.Check("an endpoint closed while a send carrying it waited: that send is refused (" + (result.Value == 0 ? "refused" : result.Value == 1 ? "Ok" : "none") + ")",
                        result.Value == 0);
                p.Check("an event that took the closed endpoint's handle number keeps working", eventWorks);
                while (b.Receive(out MessageFrame rest, 0) == ReceiveResult.Message) FreeOwned(rest);
            }
            finally { e1.Close(); }
        }
        finally
        {
            b.Close();
            MessageFrame mine = aFrame;
            Wire.From(mine.TakeEndpoint()).Close();
        }
    }

    // Threads still blocked in a receive, a send and a select when the SIP ends: the kernel must
    // free those channels all the same (the memory check after this attacker shows it).
    private static void LeaveThreadsWaiting(Probes p)
    {
        EndpointHandle.CreateChannel(out EndpointHandle ah, out EndpointHandle bh);
        EndpointHandle.CreateChannel(out EndpointHandle ch, out EndpointHandle dh);
        EndpointHandle.CreateChannel(out EndpointHandle eh, out EndpointHandle fh);
        MessageFrame bFrame = Holding(bh), cFrame = Holding(ch);
        var set = new MessageFrame();
        set.PutEndpoint(eh);
        set.PutEndpoint(fh);
        FillQueue(cFrame);
        var blocked = new Counter();
        Thread.Start(() =>
        {
            MessageFrame f = bFrame;
            Wire b = Wire.From(f.TakeEndpoint());
            try { Interlocked.Increment(ref blocked.Value); b.Receive(out MessageFrame m, -1); }
            finally { LetGo(b); }
        });
        Thread.Start(() =>
        {
            MessageFrame f = cFrame;
            Wire c = Wire.From(f.TakeEndpoint());
            try { Interlocked.Increment(ref blocked.Value); var m = new MessageFrame { Tag = 9 }; c.Send(ref m); }
            finally { LetGo(c); }
        });
        Thread.Start(() =>
        {
            MessageFrame f = set;
            Wire e = Wire.From(f.TakeEndpoint());
            try
            {
                Wire g = Wire.From(f.TakeEndpoint());
                try { Interlocked.Increment(ref blocked.Value); EndpointSet.Select(new Endpoint[] { e, g }); }
                finally { LetGo(g); }
            }
            finally { LetGo(e); }
        });
        while (Interlocked.CompareExchange(ref blocked.Value, 0, 0) < 3) Thread.Sleep(5);
        Thread.Sleep(20);
        // The other ends (a, d) stay open with the SIP: ah and dh are simply dropped (an
        // EndpointHandle that is not used is no leak; the kernel closes it when the SIP ends).
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
            MessageFrame victimFrame = Holding(ExBuffer.Allocate(Size));
            var stop = new Counter();
            Thread writer = Thread.Start(() =>
            {
                MessageFrame f = victimFrame;
                ExBuffer victim = f.TakeBuffer();
                try { for (int i = 0; i < 100000 && !stop.IsSet; i++) victim.CopyFrom(source, 0); }
                catch (InvalidOperationException) { }
                finally { LetGo(victim); }
            });
            Thread.Sleep(2 + round % 5);
            MessageFrame mine = victimFrame;
            ExBuffer freed = mine.TakeBuffer();
            freed.Free();
            ExBuffer fresh = ExBuffer.Allocate(Size);
            try
            {
                var pattern = new byte[Size];
                for (int i = 0; i < Size; i++) pattern[i] = 0x5A;
                fresh.CopyFrom(pattern, 0);
                Interlocked.Exchange(ref stop.Value, 1);
                writer.Join();
                fresh.CopyTo(check, 0);
                for (int i = 0; i < Size; i++) if (check[i] != 0x5A) { corrupted++; break; }
            }
            finally { fresh.Free(); }
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

    // Fills the peer's queue through a Wire of the handle in `holder`, which stays open.
    private static void FillQueue(MessageFrame holder)
    {
        Wire a = Wire.From(holder.TakeEndpoint());
        try
        {
            for (int i = 0; i < QueueCapacity; i++)
            {
                var m = new MessageFrame { Tag = 100 + i };
                a.Send(ref m);
            }
        }
        finally { LetGo(a); }
    }

    private static void FreeOwned(MessageFrame m)
    {
        if (!m.Carries("B")) return;
        try { FreeFrom(m); } catch (InvalidOperationException) { }
    }

    // The buffer a frame (or a copy of it) carries, freed; the kernel refuses it if this SIP no
    // longer owns it. No catch here: what is taken is freed or the exception leaves with it.
    private static void FreeFrom(MessageFrame f)
    {
        ExBuffer b = f.TakeBuffer();
        b.Free();
    }

    private static string Status(int s) => s < 0 ? "none" : ((ReceiveResult)s).ToString();
}
