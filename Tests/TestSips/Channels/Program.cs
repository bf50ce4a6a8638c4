using System;
using Singularity;
using Singularity.Ipc;
using Singularity.Threading;

// Channel scenarios over the raw IPC layer, chosen by the first argument:
//   server [crashafter=N]   echo service at /service/echo: Ping(seq, block) -> Pong(seq, block),
//                           each reply sent with the next receive (RawEndpoint.ReplyAndReceive)
//   client N [pace=MS] [call]  N ping-pongs with a 4 KiB block, rebinding if the server goes away
//                           (call: each one RawEndpoint.Call, else Send then Receive)
//   fastpath                ReplyAndReceive given stale handles, closed peers, blocks not owned
//                           and duplicates; a block touched after it left (prints "fastpath: done")
//   carry                   sends an endpoint inside a message; the server answers over it
//   timeout                 a receive with a timeout on a silent channel
//   flood                   sends to a receiver that never reads until held back
//   holder                  allocates exchange blocks, then crashes holding them
//   bench                   round-trip and 4 KiB move/copy costs, in cycles
//   profile rt|move|access N  N round trips (or moves, or block accesses) between "profile: start"
//                           and "profile: end", for Tests/bench-profile's instruction trace
public static class Program
{
    private const int Ping = 1, Pong = 2, Carry = 3, OverCarried = 4;
    private const string Service = "/service/echo";

    public static int Main()
    {
        string args = Sip.Arguments;
        string mode = Word(args, 0);
        switch (mode)
        {
            case "server": return Server(Word(args, 1));
            case "client":
                string pace = Word(args, 2);
                bool call = pace == "call" || Word(args, 3) == "call";
                return Client(ParseInt(Word(args, 1), 100), pace.StartsWith("pace=") ? ParseInt(pace.Substring(5), 0) : 0, call);
            case "fastpath": return FastPathProbes();
            case "carry": return CarryEndpoint();
            case "timeout": return ReceiveTimeout();
            case "flood": return Flood();
            case "holder": return Holder();
            case "bench": return Bench();
            case "profile": return Profile(Word(args, 1), ParseInt(Word(args, 2), 100000));
            default: Debug.WriteLine("channels: unknown mode '" + mode + "'"); return 2;
        }
    }

    // ---- the echo service -----------------------------------------------------------------

    private static int Server(string option)
    {
        int crashAfter = option.StartsWith("crashafter=") ? ParseInt(option.Substring(11), 0) : 0;
        RawEndpoint.CreateChannel(out RawEndpoint listenerImp, out RawEndpoint listener);
        if (!Names.Register(Service, listenerImp)) { Debug.WriteLine("echo server: cannot register " + Service); return 1; }
        Debug.WriteLine("echo server: registered " + Service);
        var endpoints = new RawEndpoint[16];
        endpoints[0] = listener;
        int count = 1, served = 0;
        RawEndpoint[] set = null;
        // The reply to the last request goes out with the next receive (one kernel call: a client
        // waiting in Call gets it directly and runs while this thread waits for the next message),
        // written over the request it answers (the in-place ReplyAndReceive: one message variable).
        RawEndpoint replyTo = default;
        RawMessage m = default;
        while (true)
        {
            if (set == null || set.Length != count)
            {
                set = new RawEndpoint[count];
                for (int i = 0; i < count; i++) set[i] = endpoints[i];
            }
            RecvStatus st = RawEndpoint.ReplyAndReceive(replyTo, ref m, set, out int ready, out RecvStatus _);
            replyTo = default;
            if (ready < 0) continue;
            RawEndpoint ep = set[ready];
            if (st == RecvStatus.Closed)
            {
                ep.Close();
                endpoints[ready] = endpoints[--count];
                set = null;
                continue;
            }
            if (st != RecvStatus.Ok) continue;
            if (m.Tag == Names.ConnectTag)
            {
                if (count < endpoints.Length) endpoints[count++] = m.GetEndpoint(0);
                set = null;
                continue;
            }
            if (m.Tag == Ping)
            {
                served++;
                if (crashAfter > 0 && served == crashAfter)
                {
                    Debug.WriteLine("echo server: crashing after " + served.ToString() + " pings, holding a block");
                    object nothing = null;
                    return nothing.GetHashCode();
                }
                ExBlock block = m.GetBlock(0);
                block.WriteInt64(8, m.D0 * 3);          // prove the server touched the same memory
                // The reply is the request changed: Pong, the same D0 (the other words as the
                // client sent them), its block going back with it.
                m.Tag = Pong;
                replyTo = ep;
            }
            else if (m.Tag == Carry)
            {
                RawEndpoint carried = m.GetEndpoint(0);
                var hello = new RawMessage { Tag = OverCarried, D0 = 4242 };
                carried.Send(ref hello);
                carried.Close();
            }
        }
    }

    private static RawEndpoint BindWithRetry()
    {
        RawEndpoint ep;
        while (!Names.TryBind(Service, out ep)) Thread.Sleep(20);
        return ep;
    }

    private static int Client(int n, int paceMs, bool call)
    {
        RawEndpoint server = BindWithRetry();
        ExBlock block = ExBlock.Allocate(4096);
        int rebinds = 0;
        for (long seq = 1; seq <= n; seq++)
        {
            block.WriteInt64(0, seq);
            var ping = new RawMessage { Tag = Ping, D0 = seq };
            ping.Add(block);
            RecvStatus st;
            RawMessage pong = default;
            if (call) st = server.Call(ref ping, out pong);
            else
            {
                st = server.Send(ref ping);
                if (st == RecvStatus.Ok) st = server.Receive(out pong);
            }
            if (st == RecvStatus.Closed)
            {
                Debug.WriteLine("echo client: ChannelClosed at seq " + seq.ToString() + "; rebinding");
                server.Close();
                server = BindWithRetry();
                rebinds++;
                // The block went down with the server: this SIP no longer owns it.
                if (Exchange.BytesOwned == 0) block = ExBlock.Allocate(4096);
                seq--;
                continue;
            }
            if (st != RecvStatus.Ok) { Debug.WriteLine("echo client: FAILED status " + StatusName(st)); return 1; }
            block = pong.GetBlock(0);
            if (pong.Tag != Pong || pong.D0 != seq || block.ReadInt64(0) != seq || block.ReadInt64(8) != seq * 3)
            {
                Debug.WriteLine("echo client: FAILED wrong reply at seq " + seq.ToString());
                return 1;
            }
            if (seq % 50 == 0) Debug.WriteLine("echo client: " + seq.ToString() + " round trips");
            if (paceMs > 0) Thread.Sleep(paceMs);
        }
        block.Free();
        Debug.WriteLine("echo client: " + n.ToString() + " round trips ok, " + rebinds.ToString() + " rebinds, exchange bytes owned "
                        + Exchange.BytesOwned.ToString());
        server.Close();
        return 0;
    }

    // ReplyAndReceive (ABI 56) given what a hostile or buggy server could: each probe prints
    // "fastpath: NAME ok" or "fastpath: NAME WRONG".
    private static int FastPathProbes()
    {
        int wrong = 0;
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        RawEndpoint.CreateChannel(out RawEndpoint c, out RawEndpoint d);
        RawEndpoint.CreateChannel(out RawEndpoint e, out RawEndpoint f);
        var set = new[] { b };
        var quiet = new[] { f };
        ulong before = Exchange.BytesOwned;

        // A reply on a handle closed before: not sent (BadHandle); the receive still happens.
        c.Close();
        var reply = new RawMessage { Tag = 7 };
        RecvStatus st = RawEndpoint.ReplyAndReceive(c, ref reply, set, out RawMessage m, out int index, out RecvStatus rs, 10);
        wrong += Probe("stale reply handle", rs == RecvStatus.BadHandle && st == RecvStatus.TimedOut && index == -1);

        // A reply to a peer that closed (d's peer is c): Closed, and its block stays this SIP's.
        ExBlock block = ExBlock.Allocate(64);
        ulong owned = Exchange.BytesOwned;
        reply = new RawMessage { Tag = 8 };
        reply.Add(block);
        st = RawEndpoint.ReplyAndReceive(d, ref reply, set, out m, out index, out rs, 10);
        wrong += Probe("reply to a closed peer", rs == RecvStatus.Closed && st == RecvStatus.TimedOut && Exchange.BytesOwned == owned && block[0] == 0);

        // A block this SIP no longer owns, or one block twice: BadMessage, nothing sent.
        ExBlock gone = ExBlock.Allocate(64);
        gone.Free();
        reply = new RawMessage { Tag = 9 };
        reply.Add(gone);
        st = RawEndpoint.ReplyAndReceive(a, ref reply, set, out m, out index, out rs, 10);
        wrong += Probe("reply carrying a freed block", rs == RecvStatus.BadMessage && st == RecvStatus.TimedOut);
        reply = new RawMessage { Tag = 10 };
        reply.Add(block);
        reply.Add(block);
        st = RawEndpoint.ReplyAndReceive(a, ref reply, set, out m, out index, out rs, 10);
        wrong += Probe("reply carrying one block twice", rs == RecvStatus.BadMessage && st == RecvStatus.TimedOut && block[0] == 0);

        // A receive set with a handle this SIP does not hold (first, ahead of the one the reply
        // lands on): InvalidOperationException, after the reply went.
        reply = new RawMessage { Tag = 11 };
        bool threw = false;
        try { RawEndpoint.ReplyAndReceive(a, ref reply, new[] { c, b }, out m, out index, out rs, 10); }
        catch (InvalidOperationException) { threw = true; }
        st = b.Receive(out m, 10);
        wrong += Probe("receive set with a closed handle", threw && st == RecvStatus.Ok && m.Tag == 11);

        // A receive set of 129 endpoints or none: ArgumentOutOfRangeException, the reply not sent
        // (the runtime refuses none; the kernel refuses more than 128 before it sends anything).
        var big = new RawEndpoint[129];
        for (int i = 0; i < big.Length; i++) big[i] = b;
        int refused = 0;
        foreach (RawEndpoint[] bad in new[] { big, new RawEndpoint[0] })
        {
            reply = new RawMessage { Tag = 14 };
            try { RawEndpoint.ReplyAndReceive(a, ref reply, bad, out m, out index, out rs, 10); }
            catch (ArgumentOutOfRangeException) { refused++; }
        }
        st = b.Receive(out m, 10);
        wrong += Probe("a receive set of none or over 128 refused, its reply not sent", refused == 2 && st == RecvStatus.TimedOut);

        // The reply received in the same call (sent on a, received on b): its block comes back.
        block[1] = 42;
        reply = new RawMessage { Tag = 12 };
        reply.Add(block);
        st = RawEndpoint.ReplyAndReceive(a, ref reply, set, out m, out index, out rs, 10);
        bool same = st == RecvStatus.Ok && index == 0 && rs == RecvStatus.Ok && m.Tag == 12 && m.HandleCount == 1;
        if (same) block = m.GetBlock(0);
        wrong += Probe("reply received in the same call", same && block[1] == 42);

        // A block touched after it left with a reply: InvalidOperationException, in this SIP only.
        reply = new RawMessage { Tag = 13 };
        reply.Add(block);
        st = RawEndpoint.ReplyAndReceive(a, ref reply, quiet, out m, out index, out rs, 10);
        threw = false;
        try { block[0] = 1; }
        catch (InvalidOperationException) { threw = true; }
        wrong += Probe("block touched after its reply left", rs == RecvStatus.Ok && st == RecvStatus.TimedOut && threw && Exchange.BytesOwned == before);
        st = b.Receive(out m, 10);
        if (st == RecvStatus.Ok && m.HandleCount == 1) m.GetBlock(0).Free();
        wrong += Probe("the sent block arrived", st == RecvStatus.Ok && m.Tag == 13 && Exchange.BytesOwned == before);

        // A thread stays registered on the endpoints of its last receive (docs/channels.md
        // "Registrations kept"): a message for one of them while the thread waits on another
        // endpoint is queued for its own endpoint, never handed to that other wait.
        RawEndpoint.CreateChannel(out RawEndpoint g, out RawEndpoint h);
        RawEndpoint.CreateChannel(out RawEndpoint p, out RawEndpoint q);
        st = RawEndpoint.ReceiveAny(new[] { h }, out m, out index, 10);     // times out, registered on h
        var senders = new[] { g, p };
        Thread.Start(() => SendToBoth(senders));
        RecvStatus sq = q.Receive(out RawMessage fromQ, 2000);
        RecvStatus sh = h.Receive(out RawMessage fromH, 2000);
        wrong += Probe("a kept registration delivers only to its own endpoint",
                       st == RecvStatus.TimedOut && sq == RecvStatus.Ok && fromQ.Tag == 21 && sh == RecvStatus.Ok && fromH.Tag == 20);
        g.Close(); h.Close(); p.Close(); q.Close();
        a.Close(); b.Close(); d.Close(); e.Close(); f.Close();
        wrong += RewrittenSet();
        wrong += MoveProbes();
        wrong += LeanIndex();
        wrong += TwoBlocks();
        wrong += LateReply();
        wrong += StaleReceiver();
        wrong += StirredSet();
        wrong += HandleGivenAway();
        wrong += ReplyGivenAway();
        wrong += ReplyOverAnotherCount();
        wrong += MessageHandles();
        wrong += HeldSenderWoken();
        Debug.WriteLine("fastpath: done, " + wrong.ToString() + " wrong");
        return wrong == 0 ? 0 : 1;
    }

    // Round trips over the fast path (Call to a server thread waiting in ReplyAndReceive, one
    // block going back and forth) while a third thread keeps rewriting the server's endpoint
    // array between its endpoint and a closed handle: a ReplyAndReceive that reads the closed one
    // throws (its reply went; at least one must), the others receive; every round trip
    // completes, nothing leaks.
    private sealed class Rewritten
    {
        public RawEndpoint[] Set;
        public int Running;
        public int Threw;       // receives over the closed handle (the test's log shows the probe hit them)
    }

    // Send and Receive (ABI 27/28: the one-block case checked and moved inline, the rest in
    // Endpoint.SendChecked/TakeHandles; docs/channels.md "Lean send and receive"): what each
    // refuses changes nothing, what each takes arrives whole, and the ring keeps its order.
    private static int MoveProbes()
    {
        int wrong = 0;
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        ulong before = Exchange.BytesOwned;

        // One block not this SIP's (freed): BadMessage, nothing queued.
        ExBlock gone = ExBlock.Allocate(64);
        gone.Free();
        var m = new RawMessage { Tag = 20 };
        m.Add(gone);
        RecvStatus ss = a.Send(ref m, 10);
        RecvStatus st = b.Receive(out RawMessage got, 10);
        wrong += Probe("send of one freed block refused, nothing queued", ss == RecvStatus.BadMessage && st == RecvStatus.TimedOut);

        // One block: stale at once for the sender, whole for the receiver.
        ExBlock block = ExBlock.Allocate(64);
        block[3] = 77;
        ulong owned = Exchange.BytesOwned;
        m = new RawMessage { Tag = 21 };
        m.Add(block);
        ss = a.Send(ref m, 10);
        bool threw = false;
        try { block[0] = 1; }
        catch (InvalidOperationException) { threw = true; }
        st = b.Receive(out got, 10);
        bool arrived = st == RecvStatus.Ok && got.Tag == 21 && got.HandleCount == 1;
        if (arrived) { block = got.GetBlock(0); arrived = block[3] == 77; }
        wrong += Probe("one sent block stale for the sender, whole for the receiver", ss == RecvStatus.Ok && threw && arrived && Exchange.BytesOwned == owned);

        // One endpoint (the general send behind the one-handle case): it arrives and works.
        RawEndpoint.CreateChannel(out RawEndpoint c, out RawEndpoint d);
        m = new RawMessage { Tag = 22 };
        m.Add(d);
        ss = a.Send(ref m, 10);
        st = b.Receive(out got, 10);
        bool carried = false;
        if (ss == RecvStatus.Ok && st == RecvStatus.Ok && got.Tag == 22 && got.HandleCount == 1)
        {
            RawEndpoint moved = got.GetEndpoint(0);
            var over = new RawMessage { Tag = 23 };
            carried = c.Send(ref over, 10) == RecvStatus.Ok && moved.Receive(out RawMessage o, 10) == RecvStatus.Ok && o.Tag == 23;
            moved.Close();
        }
        c.Close();
        wrong += Probe("one endpoint sent arrives and works", carried);

        // A send to an end travelling in a message: the end has no owner, which the send takes
        // for "closed, served or travelling" in one test (ChannelCalls.SendOff) and leaves to the
        // general send; the message, with its block, waits in the end's queue and is there once
        // the end arrives.
        RawEndpoint.CreateChannel(out RawEndpoint f, out RawEndpoint g);
        ulong held = Exchange.BytesOwned;
        m = new RawMessage { Tag = 26 };
        m.Add(g);
        ss = a.Send(ref m, 10);
        ExBlock w = ExBlock.Allocate(16);
        w[0] = 31;
        var early = new RawMessage { Tag = 27 };
        early.Add(w);
        bool sentEarly = f.Send(ref early, 10) == RecvStatus.Ok;
        st = b.Receive(out got, 10);
        bool waited = false;
        if (ss == RecvStatus.Ok && sentEarly && st == RecvStatus.Ok && got.Tag == 26 && got.HandleCount == 1)
        {
            RawEndpoint g2 = got.GetEndpoint(0);
            if (g2.Receive(out RawMessage o, 10) == RecvStatus.Ok && o.Tag == 27 && o.HandleCount == 1)
            {
                ExBlock r = o.GetBlock(0);
                waited = r[0] == 31;
                r.Free();
            }
            g2.Close();
        }
        f.Close();
        wrong += Probe("a send to an end in flight waits in its queue", waited && Exchange.BytesOwned == held);

        // The ring: 16 fill it (the 17th times out), then 40 more sends each after a receive wrap
        // it twice, in order; a two-block message (Endpoint.SendChecked and TakeHandles) on the way.
        bool order = true;
        for (int i = 0; i < 16; i++) { m = new RawMessage { Tag = 100 + i }; order &= a.Send(ref m, 10) == RecvStatus.Ok; }
        m = new RawMessage { Tag = 999 };
        bool full = a.Send(ref m, 10) == RecvStatus.TimedOut;
        ExBlock x = ExBlock.Allocate(32), y = ExBlock.Allocate(32);
        x[0] = 5; y[0] = 6;
        for (int i = 16; i < 56; i++)
        {
            order &= b.Receive(out got, 10) == RecvStatus.Ok && got.Tag == 100 + i - 16;
            if (got.HandleCount == 2)
            {
                ExBlock g0 = got.GetBlock(0), g1 = got.GetBlock(1);
                order &= g0[0] == 5 && g1[0] == 6;
                g0.Free();
                g1.Free();
            }
            m = new RawMessage { Tag = 100 + i };
            if (i == 30) { m.Add(x); m.Add(y); }
            order &= a.Send(ref m, 10) == RecvStatus.Ok;
        }
        for (int i = 56; i < 72; i++) order &= b.Receive(out got, 10) == RecvStatus.Ok && got.Tag == 100 + i - 16;
        wrong += Probe("a full queue holds the sender back; the ring keeps its order", order && full && b.Receive(out got, 10) == RecvStatus.TimedOut);

        // A closed peer: Closed for the sender, nothing moved.
        b.Close();
        m = new RawMessage { Tag = 24 };
        m.Add(block);
        ss = a.Send(ref m, 10);
        bool kept = block[3] == 77;
        block.Free();
        a.Close();
        wrong += Probe("send to a closed peer keeps its block", ss == RecvStatus.Closed && kept && Exchange.BytesOwned == before);

        // Handle 0 (a default endpoint) names nothing (Sip.GetHandle tests no handle for 0:
        // AddHandle never fills slot 0): BadHandle for a send and a receive, the block kept.
        RawEndpoint none = default;
        ExBlock z = ExBlock.Allocate(16);
        z[0] = 9;
        m = new RawMessage { Tag = 25 };
        m.Add(z);
        ss = none.Send(ref m, 10);
        st = none.Receive(out got, 10);
        kept = z[0] == 9;
        z.Free();
        wrong += Probe("handle 0 names no endpoint", ss == RecvStatus.BadHandle && st == RecvStatus.BadHandle && kept && Exchange.BytesOwned == before);
        return wrong;
    }

    // A sender waiting for room in a full queue goes on as soon as another thread receives
    // (Endpoint.Take wakes it, from the flag its peer keeps), not at its timeout; the ring in order.
    private static int HeldSenderWoken()
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        for (int i = 0; i < 16; i++) { var f = new RawMessage { Tag = 40 + i }; a.Send(ref f, 10); }
        var done = new int[2];      // [0]: 1 once the send returned; [1]: its status + 1
        Thread.Start(() => { var w = new RawMessage { Tag = 56 }; RecvStatus s = a.Send(ref w, 5000); done[1] = (int)s + 1; done[0] = 1; });
        Thread.Sleep(50);           // the sender waits for room by now
        ulong t0 = Clock.NowNs;
        bool first = b.Receive(out RawMessage got, 10) == RecvStatus.Ok && got.Tag == 40;
        while (done[0] == 0 && Clock.NowNs - t0 < 3000000000UL) Thread.Sleep(1);
        ulong ms = (Clock.NowNs - t0) / 1000000;
        bool order = true;
        for (int i = 1; i < 17; i++) order &= b.Receive(out got, 10) == RecvStatus.Ok && got.Tag == 40 + i;
        a.Close();
        b.Close();
        return Probe("a sender held back by a full queue goes on at a receive", first && done[1] == 1 && order && ms < 1000);
    }

    private static int RewrittenSet()
    {
        RawEndpoint.CreateChannel(out RawEndpoint client, out RawEndpoint server);
        RawEndpoint.CreateChannel(out RawEndpoint x, out RawEndpoint stale);
        stale.Close();
        ulong before = Exchange.BytesOwned;
        var shared = new Rewritten { Set = new[] { server }, Running = 1 };
        Thread srv = Thread.Start(() => ServeRewritten(server, shared));
        Thread rw = Thread.Start(() => Rewrite(server, stale, shared));
        ExBlock block = ExBlock.Allocate(64);
        // At least 300, and on until the server's receive has read the closed handle (the
        // rewriter's windows are milliseconds apart; a bound in case it never does).
        int ok = 0;
        bool failed = false;
        for (int i = 1; i <= 100000 && (ok < 300 || shared.Threw == 0); i++)
        {
            var req = new RawMessage { Tag = i };
            req.Add(block);
            if (client.Call(ref req, out RawMessage rep, 2000) != RecvStatus.Ok || rep.Tag != i || rep.HandleCount != 1) { failed = true; break; }
            block = rep.GetBlock(0);
            block[0] = (byte)i;
            ok++;
        }
        shared.Running = 0;
        if (!failed) block.Free();
        bool allOk = !failed && ok >= 300 && shared.Threw != 0;
        client.Close();
        bool ended = srv.Join(5000) && rw.Join(5000);
        server.Close();
        x.Close();
        Debug.WriteLine("fastpath: rewritten set: " + ok.ToString() + " round trips, " + shared.Threw.ToString() + " receives threw");
        return Probe("round trips while the endpoint array is rewritten", allOk && ended && Exchange.BytesOwned == before);
    }

    // Echoes each request back until the client's end closes; a receive over the closed handle throws.
    private static void ServeRewritten(RawEndpoint server, Rewritten shared)
    {
        RawEndpoint replyTo = default;
        var reply = new RawMessage();
        while (true)
        {
            try
            {
                RecvStatus st = RawEndpoint.ReplyAndReceive(replyTo, ref reply, shared.Set, out RawMessage m, out int index, out RecvStatus rs, 5000);
                replyTo = default;
                if (st != RecvStatus.Ok) return;
                reply = m;
                replyTo = server;
            }
            catch (InvalidOperationException) { replyTo = default; shared.Threw++; }
        }
    }

    private static void Rewrite(RawEndpoint server, RawEndpoint stale, Rewritten shared)
    {
        while (shared.Running != 0)
        {
            shared.Set[0] = stale;
            Thread.Sleep(1);
            shared.Set[0] = server;
            Thread.Sleep(1);
        }
    }

    // Round trips to a server thread whose receive set is {another endpoint, the server's}: each
    // request after the first is delivered straight into the server's lean wait, which the
    // client's Call completes (ChannelFastPath.CompleteLean: the index found there); every
    // receive must report index 1.
    private sealed class IndexServer
    {
        public RawEndpoint[] Set;
        public int Served;
        public int Wrong;
    }

    private static int LeanIndex()
    {
        RawEndpoint.CreateChannel(out RawEndpoint client, out RawEndpoint server);
        RawEndpoint.CreateChannel(out RawEndpoint other, out RawEndpoint otherPeer);
        var shared = new IndexServer { Set = new[] { otherPeer, server } };
        Thread srv = Thread.Start(() => ServeIndex(shared));
        bool ok = true;
        for (int i = 1; i <= 50 && ok; i++)
        {
            var req = new RawMessage { Tag = i };
            ok = client.Call(ref req, out RawMessage rep, 2000) == RecvStatus.Ok && rep.Tag == i;
        }
        client.Close();
        bool ended = srv.Join(5000);
        server.Close(); other.Close(); otherPeer.Close();
        return Probe("lean deliveries report their endpoint's index", ok && ended && shared.Served == 50 && shared.Wrong == 0);
    }

    private static void ServeIndex(IndexServer shared)
    {
        RawEndpoint replyTo = default;
        var reply = new RawMessage();
        while (true)
        {
            RecvStatus st = RawEndpoint.ReplyAndReceive(replyTo, ref reply, shared.Set, out RawMessage m, out int index, out RecvStatus _, 5000);
            if (st != RecvStatus.Ok) return;
            if (index != 1) shared.Wrong++;
            shared.Served++;
            reply = m;
            replyTo = shared.Set[1];
        }
    }

    // Two blocks each way over the fast path (a Call to a server thread waiting in
    // ReplyAndReceive, and the reply to the client waiting in it): the messages the inline
    // one-block hand-over leaves to ChannelFastPath.DeliverMany arrive whole, both blocks the
    // receiver's, in their order, and none is left over.
    private static int TwoBlocks()
    {
        RawEndpoint.CreateChannel(out RawEndpoint client, out RawEndpoint server);
        var set = new[] { server };
        ulong before = Exchange.BytesOwned;
        Thread srv = Thread.Start(() => ServeTwo(set));
        Thread.Sleep(20);                   // the server waits: the Call takes the fast path
        ExBlock x = ExBlock.Allocate(64), y = ExBlock.Allocate(128);
        bool ok = true;
        for (int i = 1; i <= 20 && ok; i++)
        {
            x[0] = (byte)i;
            y[0] = (byte)(i + 100);
            var req = new RawMessage { Tag = i };
            req.Add(x);
            req.Add(y);
            ok = client.Call(ref req, out RawMessage rep, 2000) == RecvStatus.Ok && rep.Tag == i && rep.HandleCount == 2;
            if (!ok) break;
            x = rep.GetBlock(0);
            y = rep.GetBlock(1);
            ok = x.Length == 64 && y.Length == 128 && x[1] == (byte)i && y[1] == (byte)(i + 100);
        }
        if (ok) { x.Free(); y.Free(); }
        client.Close();
        bool ended = srv.Join(5000);
        server.Close();
        return Probe("two blocks each way on the fast path arrive whole", ok && ended && Exchange.BytesOwned == before);
    }

    // Echoes each request's two blocks back, each block's first byte copied into its second.
    private static void ServeTwo(RawEndpoint[] set)
    {
        RawEndpoint replyTo = default;
        var reply = new RawMessage();
        while (true)
        {
            RecvStatus st = RawEndpoint.ReplyAndReceive(replyTo, ref reply, set, out RawMessage m, out int _, out RecvStatus _, 5000);
            if (st != RecvStatus.Ok || m.HandleCount != 2) return;
            ExBlock x = m.GetBlock(0), y = m.GetBlock(1);
            x[1] = x[0];
            y[1] = y[0];
            reply = new RawMessage { Tag = m.Tag };
            reply.Add(x);
            reply.Add(y);
            replyTo = set[0];
        }
    }

    // A Call whose lean wait ends by its timeout (the server holds the request past it), then a
    // plain receive on the same endpoint: the late reply, delivered straight into that receive
    // by the server's ReplyAndReceive, must arrive whole (the timed-out lean wait left nothing a
    // delivery would complete instead: ThreadChannels.LeanFrame cleared by the resume routine).
    // A message's handle fields (docs/channels.md "The SIP side of a round trip"): the first handle
    // has a field of its own, the others go by the count; GetBlock reads only an index below the
    // count, a fifth Add throws. An in-place Call gets its reply, block and all, in the request's
    // variable; a refused one leaves the variable as it was. An in-place ReplyAndReceive sends the
    // variable as the reply and receives the next message into it (ServeInPlace).
    private static int MessageHandles()
    {
        int wrong = 0;
        ulong before = Exchange.BytesOwned;
        ExBlock x = ExBlock.Allocate(64), y = ExBlock.Allocate(64);
        x[0] = 1;
        y[0] = 2;
        var m = new RawMessage { Tag = 40 };
        m.Add(x);
        m.Add(y);
        bool two = m.HandleCount == 2 && m.GetBlock(0)[0] == 1 && m.GetBlock(1)[0] == 2;
        bool past = GetBlockThrows(m, 2) && GetBlockThrows(m, -1) && GetBlockThrows(new RawMessage(), 0);
        m.Add(x);
        m.Add(y);
        bool fifth = false;
        try { m.Add(x); }
        catch (InvalidOperationException) { fifth = true; }
        wrong += Probe("handles go by the count: two read back, none past it, no fifth", two && past && fifth && m.HandleCount == 4);
        // SetBlock over a message of four handles: one handle left, the block given; the next Add
        // goes after it.
        m.SetBlock(y);
        bool one = m.HandleCount == 1 && m.GetBlock(0)[0] == 2 && GetBlockThrows(m, 1);
        m.Add(x);
        one = one && m.HandleCount == 2 && m.GetBlock(1)[0] == 1;
        wrong += Probe("SetBlock leaves the message one handle, the block given", one);

        RawEndpoint.CreateChannel(out RawEndpoint client, out RawEndpoint server);
        var set = new[] { server };
        Thread srv = Thread.Start(() => ServeInPlace(set));
        var req = new RawMessage { Tag = 41, D0 = 5 };
        req.Add(x);
        RecvStatus st = client.Call(ref req, 2000);
        bool back = st == RecvStatus.Ok && req.Tag == 42 && req.D0 == 15 && req.HandleCount == 1;
        if (back) x = req.GetBlock(0);
        back = back && x[0] == 1 && x[1] == 9;
        var next = new RawMessage { Tag = 44, D1 = 8 };
        RecvStatus st2 = client.Call(ref next, 2000);
        bool again = st2 == RecvStatus.Ok && next.Tag == 45 && next.D0 == 0 && next.D1 == 8 && next.HandleCount == 0;
        client.Close();
        bool ended = srv.Join(5000);
        server.Close();
        var kept = new RawMessage { Tag = 43, D0 = 7 };
        kept.Add(y);
        RecvStatus refused = client.Call(ref kept, 10);
        bool left = refused == RecvStatus.BadHandle && kept.Tag == 43 && kept.D0 == 7 && kept.HandleCount == 1;
        if (back) x.Free();             // else it may be in flight: the bytes check below tells
        if (left) y.Free();
        wrong += Probe("an in-place call gets its reply in the request; a refused one leaves it", back && ended && left && Exchange.BytesOwned == before);
        wrong += Probe("an in-place reply-and-receive sends the message and receives the next into it", back && again && ended);
        return wrong;
    }

    private static bool GetBlockThrows(RawMessage m, int i)
    {
        try { m.GetBlock(i); return false; }
        catch (IndexOutOfRangeException) { return true; }
    }

    // Two requests answered in place, each reply written over the request it answers (the
    // in-place ReplyAndReceive): the first's block written and sent back with it; the second
    // (tag 44, D1 8, no handle) must arrive whole over the first's reply (its count 0, the reply's
    // handle field past it), and goes back as tag 45.
    private static void ServeInPlace(RawEndpoint[] set)
    {
        RecvStatus st = RawEndpoint.ReceiveAny(set, out RawMessage m, out int index, 2000);
        if (st != RecvStatus.Ok || m.HandleCount != 1) return;
        ExBlock b = m.GetBlock(0);
        b[1] = 9;
        m.Tag += 1;
        m.D0 *= 3;
        st = RawEndpoint.ReplyAndReceive(set[0], ref m, set, out index, out RecvStatus rs, 2000);
        if (st != RecvStatus.Ok || rs != RecvStatus.Ok || index != 0 || m.Tag != 44 || m.D0 != 0 || m.D1 != 8 || m.HandleCount != 0) return;
        m.Tag = 45;
        RawEndpoint.ReplyAndReceive(set[0], ref m, set, out index, out rs, 100);
    }

    private static int LateReply()
    {
        RawEndpoint.CreateChannel(out RawEndpoint client, out RawEndpoint server);
        var set = new[] { server };
        Thread srv = Thread.Start(() => ServeLate(set));
        Thread.Sleep(20);                   // the server waits: the Call takes the lean path
        var req = new RawMessage { Tag = 30 };
        RecvStatus first = client.Call(ref req, out RawMessage rep, 20);
        RecvStatus late = client.Receive(out RawMessage m, 2000);
        client.Close();
        bool ended = srv.Join(5000);
        server.Close();
        return Probe("a late reply after a call timed out arrives whole",
                     first == RecvStatus.TimedOut && late == RecvStatus.Ok && m.Tag == 31 && ended);
    }

    private static void ServeLate(RawEndpoint[] set)
    {
        RecvStatus st = RawEndpoint.ReceiveAny(set, out RawMessage m, out int index, 2000);
        if (st != RecvStatus.Ok) return;
        Thread.Sleep(100);
        var reply = new RawMessage { Tag = m.Tag + 1 };
        RawEndpoint.ReplyAndReceive(set[0], ref reply, set, out m, out index, out RecvStatus _, 2000);
    }

    // docs/channels.md "Receiver kept": an endpoint's kept receiver follows its thread's
    // registration. Registered on h (its last receive) and then waiting on q, this thread is no
    // longer h's receiver: a Call on h's peer is queued for h (and times out), never delivered
    // into the wait on q, which gets q's own message.
    private static int StaleReceiver()
    {
        RawEndpoint.CreateChannel(out RawEndpoint g, out RawEndpoint h);
        RawEndpoint.CreateChannel(out RawEndpoint p, out RawEndpoint q);
        var shared = new Rewritten { Set = new[] { g, p } };
        Thread other = Thread.Start(() => CallThenSend(shared));
        RecvStatus st = RawEndpoint.ReceiveAny(new[] { h }, out RawMessage m, out int index, 10);   // times out, registered on h
        RecvStatus sq = q.Receive(out RawMessage fromQ, 2000);
        RecvStatus sh = h.Receive(out RawMessage fromH, 10);
        bool ended = other.Join(5000);
        g.Close(); h.Close(); p.Close(); q.Close();
        return Probe("a receiver waiting elsewhere gets no call for its old endpoint",
                     st == RecvStatus.TimedOut && sq == RecvStatus.Ok && fromQ.Tag == 23 && sh == RecvStatus.Ok && fromH.Tag == 22
                     && ended && shared.Threw == (int)RecvStatus.TimedOut);
    }

    // StaleReceiver's other thread: a Call on shared.Set[0] (tag 22; nobody answers: its status in
    // Threw), then a send on shared.Set[1] (tag 23).
    private static void CallThenSend(Rewritten shared)
    {
        Thread.Sleep(30);
        var req = new RawMessage { Tag = 22 };
        shared.Threw = (int)shared.Set[0].Call(ref req, out RawMessage _, 200);
        var toQ = new RawMessage { Tag = 23 };
        shared.Set[1].Send(ref toQ);
    }

    // docs/channels.md "Receiver kept": a server's kept registration skips its endpoints'
    // readiness test only while nothing stirred them. Registered on {b1, b2}, running (a client's
    // call just received), it sees a message queued on b2 meanwhile: its next ReplyAndReceive,
    // the reply going to the client waiting for it (the lean path), takes that message at once
    // instead of waiting for the timeout.
    private static int StirredSet()
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b1);
        RawEndpoint.CreateChannel(out RawEndpoint x, out RawEndpoint b2);
        var set = new[] { b1, b2 };
        var shared = new Rewritten { Set = new[] { a } };
        Thread client = Thread.Start(() => CallOnce(shared));
        var reply = new RawMessage();
        // Registered on the set; the second lookup walks the registered set and finds it quiet.
        RawEndpoint.ReplyAndReceive(default, ref reply, set, out RawMessage m, out int index, out RecvStatus rs, 5);
        RawEndpoint.ReplyAndReceive(default, ref reply, set, out m, out index, out rs, 5);
        RecvStatus st = RawEndpoint.ReplyAndReceive(default, ref reply, set, out m, out index, out rs, 2000);
        bool got = st == RecvStatus.Ok && index == 0 && m.Tag == 30;
        var late = new RawMessage { Tag = 31 };
        RecvStatus sent = x.Send(ref late);
        reply = new RawMessage { Tag = 32 };
        ulong t0 = Clock.NowNs;
        st = RawEndpoint.ReplyAndReceive(b1, ref reply, set, out m, out index, out rs, 1000);
        ulong ms = (Clock.NowNs - t0) / 1000000;
        bool ended = client.Join(5000);
        a.Close(); b1.Close(); x.Close(); b2.Close();
        Debug.WriteLine("fastpath: stirred set: the queued message after " + ms.ToString() + " ms");
        return Probe("a message queued while the server runs is seen by its kept set",
                     got && sent == RecvStatus.Ok && st == RecvStatus.Ok && rs == RecvStatus.Ok && index == 1 && m.Tag == 31 && ms < 500
                     && ended && shared.Threw == 32);
    }

    // StirredSet's client: one Call on shared.Set[0] (tag 30), the reply's tag in Threw.
    private static void CallOnce(Rewritten shared)
    {
        Thread.Sleep(50);
        var req = new RawMessage { Tag = 30 };
        shared.Threw = shared.Set[0].Call(ref req, out RawMessage rep, 3000) == RecvStatus.Ok ? (int)rep.Tag : -1;
    }

    // docs/channels.md "Receiver kept": Call finds its endpoint from its last call's registration
    // only while the handle table is unchanged. The client's end sent away (in flight, then back
    // under a new handle), a Call on the old handle is BadHandle, never delivered to the server
    // still waiting on the far end; the new handle calls as before.
    private static int HandleGivenAway()
    {
        RawEndpoint.CreateChannel(out RawEndpoint c, out RawEndpoint s);
        RawEndpoint.CreateChannel(out RawEndpoint t1, out RawEndpoint t2);
        var set = new[] { s };
        Thread server = Thread.Start(() => EchoUntilClosed(set));
        var req = new RawMessage { Tag = 40 };
        bool first = c.Call(ref req, out RawMessage rep, 2000) == RecvStatus.Ok && rep.Tag == 40;
        req = new RawMessage { Tag = 41 };
        first = first && c.Call(ref req, out rep, 2000) == RecvStatus.Ok && rep.Tag == 41;
        var carry = new RawMessage { Tag = 1 };
        carry.Add(c);
        RecvStatus away = t1.Send(ref carry);
        req = new RawMessage { Tag = 42 };
        RecvStatus stale = c.Call(ref req, out rep, 100);
        RecvStatus back = t2.Receive(out RawMessage got, 100);
        RawEndpoint c2 = back == RecvStatus.Ok ? got.GetEndpoint(0) : default;
        req = new RawMessage { Tag = 43 };
        bool again = back == RecvStatus.Ok && c2.Call(ref req, out rep, 2000) == RecvStatus.Ok && rep.Tag == 43;
        if (back == RecvStatus.Ok) c2.Close();
        bool ended = server.Join(5000);
        s.Close(); t1.Close(); t2.Close();
        return Probe("a call on a handle given away is refused", first && away == RecvStatus.Ok && stale == RecvStatus.BadHandle && again && ended);
    }

    // The kept reply's probes' set-up: channels c-s (the client's replies) and xp-x (its
    // requests), and the client asking on xp until it goes unanswered.
    private sealed class ReplyRig
    {
        public RawEndpoint C, Xp;
        public ReplyAway Shared;
        public Thread Client;
    }

    private static ReplyRig StartReplyRig(out RawEndpoint s, out RawEndpoint x)
    {
        RawEndpoint.CreateChannel(out RawEndpoint c, out s);
        RawEndpoint.CreateChannel(out RawEndpoint xp, out x);
        var rig = new ReplyRig { C = c, Xp = xp, Shared = new ReplyAway { Requests = xp, Replies = c } };
        rig.Client = Thread.Start(() => AskUntilUnanswered(rig.Shared));
        return rig;
    }

    // Two receives over `set` with no reply (short timeouts): the first looks the set up (in the
    // table as it is now), the second finds it registered and marks it quiet.
    private static void WaitTwiceUnanswered(RawEndpoint[] set)
    {
        var none = new RawMessage();
        RawEndpoint.ReplyAndReceive(default, ref none, set, out RawMessage _, out int _, out RecvStatus _, 20);
        RawEndpoint.ReplyAndReceive(default, ref none, set, out RawMessage _, out int _, out RecvStatus _, 20);
    }

    // The kept reply's probes' opening: the client's first request received over `set`, then
    // three replies on s over it, each taking the client's next request (the third from the
    // kept word).
    private static bool ServeThreeReplies(RawEndpoint s, RawEndpoint[] set)
    {
        var reply = new RawMessage();
        RecvStatus st = RawEndpoint.ReplyAndReceive(default, ref reply, set, out RawMessage m, out int _, out RecvStatus rs, 2000);
        bool served = st == RecvStatus.Ok && m.Tag == 60;
        for (int i = 0; i < 3 && served; i++)
        {
            reply = new RawMessage { Tag = 50 + i };
            st = RawEndpoint.ReplyAndReceive(s, ref reply, set, out m, out int _, out rs, 2000);
            served = st == RecvStatus.Ok && rs == RecvStatus.Ok && m.Tag == 61 + i;
        }
        return served;
    }

    // docs/channels.md "Reply kept": ReplyAndReceive finds where its reply goes from the last lean
    // reply's kept word only while the handle table is unchanged. A server receiving on x and
    // replying on s (the third reply from the kept word); s given away (in flight), the set looked
    // up again and quiet under the new table: a reply on s's old handle is BadHandle, never
    // delivered to the client still waiting on the far end.
    private static int ReplyGivenAway()
    {
        ReplyRig rig = StartReplyRig(out RawEndpoint s, out RawEndpoint x);
        RawEndpoint.CreateChannel(out RawEndpoint t1, out RawEndpoint t2);
        var set = new[] { x };
        bool served = ServeThreeReplies(s, set);
        var carry = new RawMessage { Tag = 1 };
        carry.Add(s);
        RecvStatus away = t1.Send(ref carry);
        WaitTwiceUnanswered(set);        // the set looked up in the changed table, then quiet
        // No timeout: only then does the lean head (the kept reply) run. The client's last
        // message (tag 69, once its short wait ended) ends the receive.
        var reply = new RawMessage { Tag = 59 };
        RecvStatus st = RawEndpoint.ReplyAndReceive(s, ref reply, set, out RawMessage m, out int _, out RecvStatus rs);
        bool ended = rig.Client.Join(5000);
        RecvStatus back = t2.Receive(out RawMessage got, 100);
        if (back == RecvStatus.Ok) got.GetEndpoint(0).Close();
        rig.C.Close(); rig.Xp.Close(); x.Close(); t1.Close(); t2.Close();
        return Probe("a reply on a handle given away is refused, never delivered to its far end",
                     served && away == RecvStatus.Ok && rs == RecvStatus.BadHandle && st == RecvStatus.Ok && m.Tag == 69
                     && ended && rig.Shared.Got == 3 && rig.Shared.Last == RecvStatus.TimedOut && back == RecvStatus.Ok);
    }

    // The reply's kept word stands for the count only while the registration is the one it was
    // kept with. A server replying on s over {x, y} (the third from the kept word), then waiting
    // on {x} alone (registered on x only, quiet), then a message queued on y: a reply on s over
    // {x, y} again takes that message at once (the set registered and looked at anew), not the
    // client's last message on x (a wait on x alone).
    private static int ReplyOverAnotherCount()
    {
        ReplyRig rig = StartReplyRig(out RawEndpoint s, out RawEndpoint x);
        RawEndpoint.CreateChannel(out RawEndpoint yp, out RawEndpoint y);
        var two = new[] { x, y };
        var one = new[] { x };
        bool served = ServeThreeReplies(s, two);
        WaitTwiceUnanswered(one);
        var toY = new RawMessage { Tag = 70 };
        RecvStatus queued = yp.Send(ref toY);
        var reply = new RawMessage { Tag = 53 };
        ulong t0 = Clock.NowNs;
        RecvStatus st = RawEndpoint.ReplyAndReceive(s, ref reply, two, out RawMessage m, out int index, out RecvStatus rs);     // no timeout: the lean head
        ulong ms = (Clock.NowNs - t0) / 1000000;
        bool ended = rig.Client.Join(5000);
        rig.C.Close(); s.Close(); rig.Xp.Close(); x.Close(); yp.Close(); y.Close();
        return Probe("a reply kept over two endpoints, then a wait on one: the reply over two sees the second's message",
                     served && queued == RecvStatus.Ok && rs == RecvStatus.Ok && st == RecvStatus.Ok && index == 1 && m.Tag == 70
                     && ms < 500 && ended && rig.Shared.Got == 4);
    }

    private sealed class ReplyAway
    {
        public RawEndpoint Requests, Replies;
        public int Got;             // replies received with the tag expected, in order
        public RecvStatus Last;     // the last receive's status
    }

    // ReplyGivenAway's client: requests (tags 60..63) on Requests, each followed by a receive of
    // its reply (tags 50..53) on Replies; the fourth waits only a short while (ReplyGivenAway
    // never answers it); then tag 69.
    private static void AskUntilUnanswered(ReplyAway shared)
    {
        for (int i = 0; i < 4; i++)
        {
            var req = new RawMessage { Tag = 60 + i };
            if (shared.Requests.Send(ref req) != RecvStatus.Ok) break;
            RecvStatus st = shared.Replies.Receive(out RawMessage rep, i < 3 ? 2000 : 300);
            shared.Last = st;
            if (st != RecvStatus.Ok || rep.Tag != 50 + i) break;
            shared.Got++;
        }
        // The last message (tag 69), whatever happened: it ends a server's receive with no timeout.
        var last = new RawMessage { Tag = 69 };
        shared.Requests.Send(ref last);
    }

    // Echoes each request back on the endpoint it came from until a receive is not Ok.
    private static void EchoUntilClosed(RawEndpoint[] set)
    {
        RawEndpoint replyTo = default;
        var reply = new RawMessage();
        while (true)
        {
            RecvStatus st = RawEndpoint.ReplyAndReceive(replyTo, ref reply, set, out RawMessage m, out int index, out RecvStatus rs, 5000);
            if (st != RecvStatus.Ok) return;
            reply = m;
            replyTo = set[index];
        }
    }

    // The kept-registration probe's other thread: to h (tag 20), then to q (tag 21), once the
    // probe's thread waits on q.
    private static void SendToBoth(RawEndpoint[] senders)
    {
        Thread.Sleep(20);
        var toH = new RawMessage { Tag = 20 };
        senders[0].Send(ref toH);
        var toQ = new RawMessage { Tag = 21 };
        senders[1].Send(ref toQ);
    }

    private static int Probe(string name, bool ok)
    {
        Debug.WriteLine("fastpath: " + name + (ok ? " ok" : " WRONG"));
        return ok ? 0 : 1;
    }

    private static int CarryEndpoint()
    {
        RawEndpoint server = BindWithRetry();
        RawEndpoint.CreateChannel(out RawEndpoint mine, out RawEndpoint theirs);
        var m = new RawMessage { Tag = Carry };
        m.Add(theirs);
        if (server.Send(ref m) != RecvStatus.Ok) { Debug.WriteLine("carry: FAILED send"); return 1; }
        if (mine.Receive(out RawMessage hello, 2000) != RecvStatus.Ok || hello.Tag != OverCarried || hello.D0 != 4242)
        {
            Debug.WriteLine("carry: FAILED no message over the carried endpoint");
            return 1;
        }
        // The server closed its end after answering: the far side's close is visible here.
        RecvStatus after = mine.Receive(out RawMessage _, 2000);
        Debug.WriteLine("carry: reply 4242 over the carried endpoint; then " + StatusName(after));
        return 0;
    }

    private static int ReceiveTimeout()
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        ulong t0 = Clock.NowNs;
        RecvStatus st = a.Receive(out RawMessage _, 50);
        ulong waited = (Clock.NowNs - t0) / 1000000;
        Debug.WriteLine("timeout: receive returned " + StatusName(st) + " after " + waited.ToString() + " ms");
        b.Close();
        RecvStatus closed = a.Receive(out RawMessage _, 50);
        Debug.WriteLine("timeout: after the peer closed, receive returned " + StatusName(closed));
        return 0;
    }

    private static int Flood()
    {
        RawEndpoint.CreateChannel(out RawEndpoint sender, out RawEndpoint receiver);
        int sent = 0;
        while (sent < 1000)
        {
            ExBlock b = ExBlock.Allocate(1024);
            var m = new RawMessage { Tag = 9, D0 = sent };
            m.Add(b);
            RecvStatus st = sender.Send(ref m, 20);
            if (st == RecvStatus.TimedOut) { b.Free(); break; }
            sent++;
        }
        Debug.WriteLine("flood: held back after " + sent.ToString() + " messages");
        // Drain one; the sender may go on.
        receiver.Receive(out RawMessage first, 0).ToString();
        first.GetBlock(0).Free();
        var more = new RawMessage { Tag = 9 };
        RecvStatus again = sender.Send(ref more, 20);
        Debug.WriteLine("flood: after one receive, send returned " + StatusName(again));
        return 0;
    }

    private static int Holder()
    {
        for (int i = 0; i < 8; i++) ExBlock.Allocate(64 * 1024);
        Debug.WriteLine("holder: holding " + (Exchange.BytesOwned / 1024).ToString() + " KiB of exchange heap");
        Thread.Sleep(100);
        object nothing = null;
        return nothing.GetHashCode();
    }

    // ---- benchmark ------------------------------------------------------------------------

    private static int Bench()
    {
        RawEndpoint server = BindWithRetry();
        const int N = 500;
        ExBlock block = ExBlock.Allocate(4096);
        for (int i = 0; i < 20; i++) block = RoundTrip(server, block, i);     // warm up
        ulong t0 = Clock.ReadCycles();
        for (int i = 0; i < N; i++) block = RoundTrip(server, block, i);
        ulong t1 = Clock.ReadCycles();
        Debug.WriteLine("bench message-round-trip: " + ((t1 - t0) / N).ToString() + " instructions");

        // Moving a 4 KiB block across a channel (one send + receive, same SIP) vs copying it.
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        // The loop is its own method (MoveLoop, the one Tests/bench-profile traces); its own
        // increment and branch (about 3 instructions) are in the figure.
        ulong m0 = Clock.ReadCycles();
        block = MoveLoop(a, b, block, N);
        ulong m1 = Clock.ReadCycles();
        var bytes = new byte[4096];
        ulong c0 = Clock.ReadCycles();
        for (int i = 0; i < N; i++) block.CopyTo(bytes, 0);
        ulong c1 = Clock.ReadCycles();
        Debug.WriteLine("bench move-4k: " + ((m1 - m0) / N).ToString() + " instructions");
        // The block's part of a move: the same loop with a message carrying no handle (NoHandleLoop),
        // subtracted, in the same run.
        ulong h0 = Clock.ReadCycles();
        long tags = NoHandleLoop(a, b, N);
        ulong h1 = Clock.ReadCycles();
        if (tags == -1) Debug.WriteLine("bench: impossible sum");   // keeps the loop's sum alive
        Debug.WriteLine("bench move-block-part: " + (((m1 - m0) - (h1 - h0)) / N).ToString() + " instructions");

        // The parts: 16 sends into an empty queue, then 16 receives; and one block access.
        ulong s0 = Clock.ReadCycles();
        var msgs = new RawMessage { Tag = 1 };
        for (int i = 0; i < 16; i++) { msgs.D0 = i; a.Send(ref msgs); }
        ulong s1 = Clock.ReadCycles();
        for (int i = 0; i < 16; i++) b.Receive(out RawMessage _);
        ulong s2 = Clock.ReadCycles();
        // One checked access (the indexer), less the same loop without it. Both loops are small
        // methods of their own (AccessLoop, the one Tests/bench-profile access traces, and
        // EmptyLoop): their locals live in registers, so the difference is the access, not this
        // large method's loads and stores of its locals.
        ulong x0 = Clock.ReadCycles();
        int len = AccessLoop(block, N);
        ulong x1 = Clock.ReadCycles();
        ulong e0 = Clock.ReadCycles();
        len += EmptyLoop(N);
        ulong e1 = Clock.ReadCycles();
        Debug.WriteLine("bench send-no-handles: " + ((s1 - s0) / 16).ToString() + " instructions");
        Debug.WriteLine("bench receive-no-handles: " + ((s2 - s1) / 16).ToString() + " instructions");
        Debug.WriteLine("bench block-access: " + (((x1 - x0) - (e1 - e0)) / N).ToString() + " instructions");
        if (len == -1) Debug.WriteLine("bench: impossible sum");   // keeps both loops' sums alive
        Debug.WriteLine("bench copy-4k: " + ((c1 - c0) / N).ToString() + " instructions");

        // The same move with a 1 MiB block: the cost must not depend on the size.
        block.Free();
        ExBlock big = ExBlock.Allocate(1024 * 1024);
        ulong g0 = Clock.ReadCycles();
        big = MoveLoop(a, b, big, N);
        ulong g1 = Clock.ReadCycles();
        big.Free();
        Debug.WriteLine("bench move-1m: " + ((g1 - g0) / N).ToString() + " instructions");
        return 0;
    }

    // One operation repeated N times, for an instruction trace taken while it runs
    // (Tests/bench-profile opens QEMU's exec log between the two lines).
    private static int Profile(string what, int n)
    {
        ExBlock block = ExBlock.Allocate(4096);
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        RawEndpoint server = what == "rt" ? BindWithRetry() : default;
        int sum = 0;
        if (what == "yield")
        {
            // Two threads handing the CPU back and forth, as Tests/TestSips/Bench's yield round trip.
            var turn = new int[1];
            Thread.Start(() => { while (true) { if (turn[0] == 1) turn[0] = 0; Thread.Yield(); } });
            Debug.WriteLine("profile: start yield");
            for (int i = 0; i < n; i++) { turn[0] = 1; while (turn[0] == 1) Thread.Yield(); }
            return 0;
        }
        Debug.WriteLine("profile: start " + what);
        // One loop per operation, chosen before it starts: the traced loop holds the operation
        // alone (a mode compare per round would be counted as the operation's cost).
        if (what == "rt") for (int i = 0; i < n; i++) block = RoundTrip(server, block, i);
        else if (what == "move") block = MoveLoop(a, b, block, n);
        else sum = AccessLoop(block, n);
        Debug.WriteLine("profile: end " + what + " " + sum.ToString());
        return 0;
    }

    // n moves of the block over the channel a -> b (send, then receive, on one thread of one SIP).
    // Its own method, so the bench and the profile measure the same loop, with its locals in
    // registers rather than in the frame of a large method.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static ExBlock MoveLoop(RawEndpoint a, RawEndpoint b, ExBlock block, int n)
    {
        for (int i = 0; i < n; i++)
        {
            var m = new RawMessage { Tag = 1 };
            m.SetBlock(block);
            a.Send(ref m);
            b.Receive(out RawMessage got);
            block = got.GetBlock(0);
        }
        return block;
    }

    // MoveLoop without the block: a message carrying no handle, sent and received n times (what
    // the bench's move-block-part subtracts from MoveLoop).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static long NoHandleLoop(RawEndpoint a, RawEndpoint b, int n)
    {
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            var m = new RawMessage { Tag = 1 };
            a.Send(ref m);
            b.Receive(out RawMessage got);
            sum += got.Tag;
        }
        return sum;
    }

    // n checked accesses to the block (the indexer), summed; the bench subtracts EmptyLoop.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int AccessLoop(ExBlock block, int n)
    {
        int sum = 0;
        for (int i = 0; i < n; i++) sum += block[i & 1023];
        return sum;
    }

    // AccessLoop without the access: the same loop, index and sum (what the bench subtracts).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int EmptyLoop(int n)
    {
        int sum = 0;
        for (int i = 0; i < n; i++) sum += i & 1023;
        return sum;
    }

    private static ExBlock RoundTrip(RawEndpoint server, ExBlock block, long seq)
    {
        // The in-place Call (the reply written over the request): one message variable, so no
        // second 104-byte local for the prologue to clear (docs/channels.md "Raw API").
        // SetBlock (Raw API): no Add, so no count test and no call kept for a second handle.
        var ping = new RawMessage { Tag = Ping, D0 = seq };
        ping.SetBlock(block);
        // A refused call leaves the request as it was: fail, as GetBlock of the cleared reply did.
        if (server.Call(ref ping) != RecvStatus.Ok) throw new InvalidOperationException("round trip: the call failed");
        return ping.GetBlock(0);
    }

    // ---- helpers --------------------------------------------------------------------------

    private static string StatusName(RecvStatus s) => s switch
    {
        RecvStatus.Ok => "Ok",
        RecvStatus.Closed => "ChannelClosed",
        RecvStatus.TimedOut => "TimedOut",
        RecvStatus.BadMessage => "BadMessage",
        _ => "BadHandle",
    };

    private static string Word(string s, int index)
    {
        int i = 0, w = 0;
        while (i < s.Length)
        {
            while (i < s.Length && s[i] == ' ') i++;
            int start = i;
            while (i < s.Length && s[i] != ' ') i++;
            if (i > start && w++ == index) return s.Substring(start, i - start);
        }
        return "";
    }

    private static int ParseInt(string s, int fallback)
    {
        if (s.Length == 0) return fallback;
        int v = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] < '0' || s[i] > '9') return fallback;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    }
}
