using System;
using System.Threading;
using Singularity;
using Singularity.Ipc;      // RawEndpoint, RawMessage, ExBlock, Exchange.BytesOwned
using Thread = Singularity.Threading.Thread;

/// <summary>
/// ABI 56 (ChannelReplyAndReceive, RawEndpoint.ReplyAndReceive) and ABI 44 (ChannelCall) given
/// what a hostile server or client can pass: receive sets with handles this SIP does not hold,
/// duplicates and closed ends; replies carrying a freed block, one block twice, or going to a
/// closed peer or over a stale handle; and replies and calls whose block another thread of this
/// SIP keeps copying into, so the kernel often finds that thread stopped inside a copy into the
/// block and sends a copy of it instead, parking the original (its quarantine, docs/channels.md
/// "Exchange heap"). Each is refused or answered with its status, the blocks stay with their one
/// owner, and nothing of this SIP's exchange memory is left over. (That a stopped thread's stores
/// never reach the receiver's memory needs a receiver in another SIP: ExchangeQuarantineTests.)
/// </summary>
internal static class ReplyAndReceive
{
    private const int RaceMs = 1000;

    public static int Run()
    {
        var p = new Probes("replyreceive");
        ulong before = Exchange.BytesOwned;
        BadSets(p);
        BadReplies(p);
        RepliesDuringAccesses(p);
        CallsDuringAccesses(p);
        p.Check("no exchange memory left owned", Exchange.BytesOwned == before);
        return p.Finish();
    }

    // Receive sets the kernel must refuse (BadHandle: InvalidOperationException) or serve as given.
    private static void BadSets(Probes p)
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        RawEndpoint.CreateChannel(out RawEndpoint c, out RawEndpoint d);
        c.Close();
        var none = new RawMessage();
        p.RefusedNull("ReplyAndReceive(null set)", () => RawEndpoint.ReplyAndReceive(default, ref none, null, out RawMessage _, out int _, out RecvStatus _, 0));
        p.Refused("ReplyAndReceive(no endpoints)", () => RawEndpoint.ReplyAndReceive(default, ref none, new RawEndpoint[0], out RawMessage _, out int _, out RecvStatus _, 0));
        p.Refused("ReplyAndReceive(129 endpoints)", () => RawEndpoint.ReplyAndReceive(default, ref none, new RawEndpoint[129], out RawMessage _, out int _, out RecvStatus _, 0));
        p.Refused("ReplyAndReceive(handles never held)", () => RawEndpoint.ReplyAndReceive(default, ref none, new RawEndpoint[3], out RawMessage _, out int _, out RecvStatus _, 0));
        var withClosed = new RawEndpoint[2];
        withClosed[0] = b;
        withClosed[1] = c;
        p.Refused("ReplyAndReceive(a closed endpoint in the set)", () => RawEndpoint.ReplyAndReceive(default, ref none, withClosed, out RawMessage _, out int _, out RecvStatus _, 0));
        // The reply goes before the set is looked at: sent on a, it is on b even though the set is
        // refused (the closed end first: a ready endpoint ahead of it would be received from).
        var closedFirst = new RawEndpoint[2];
        closedFirst[0] = c;
        closedFirst[1] = b;
        var reply = new RawMessage { Tag = 21 };
        p.Refused("ReplyAndReceive(a reply, then a set with a closed endpoint)", () => RawEndpoint.ReplyAndReceive(a, ref reply, closedFirst, out RawMessage _, out int _, out RecvStatus _, 0));
        p.Check("the reply sent before the refused set arrived", b.Receive(out RawMessage got, 100) == RecvStatus.Ok && got.Tag == 21);
        // One endpoint twice in the set: a message on it is received once, at the first index.
        var twice = new RawEndpoint[2];
        twice[0] = b;
        twice[1] = b;
        reply = new RawMessage { Tag = 22 };
        RecvStatus st = RawEndpoint.ReplyAndReceive(a, ref reply, twice, out RawMessage m, out int index, out RecvStatus rs, 100);
        p.Check("one endpoint twice in the set: the reply received once (" + Name(st) + " at " + index.ToString() + ")",
                st == RecvStatus.Ok && rs == RecvStatus.Ok && index == 0 && m.Tag == 22);
        st = RawEndpoint.ReplyAndReceive(default, ref none, twice, out m, out index, out rs, 20);
        p.Check("one endpoint twice in an empty set times out (" + Name(st) + ")", st == RecvStatus.TimedOut && index == -1);
        a.Close(); b.Close(); d.Close();
    }

    // Replies the kernel must not send (their status says why, the receive happens all the same,
    // and the blocks stay this SIP's).
    private static void BadReplies(Probes p)
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        RawEndpoint.CreateChannel(out RawEndpoint c, out RawEndpoint d);
        RawEndpoint.CreateChannel(out RawEndpoint e, out RawEndpoint f);
        var quiet = new RawEndpoint[1];
        quiet[0] = f;
        ExBlock block = ExBlock.Allocate(256);
        block[3] = 33;
        ulong owned = Exchange.BytesOwned;

        var reply = new RawMessage { Tag = 31 };
        reply.Add(block);
        reply.Add(block);
        RecvStatus st = RawEndpoint.ReplyAndReceive(a, ref reply, quiet, out RawMessage m, out int index, out RecvStatus rs, 10);
        p.Check("a reply carrying one block twice: BadMessage, the block kept (" + Name(rs) + ")",
                rs == RecvStatus.BadMessage && st == RecvStatus.TimedOut && block[3] == 33 && Exchange.BytesOwned == owned);

        ExBlock gone = ExBlock.Allocate(64);
        RawMessage holding = new RawMessage();
        holding.Add(gone);
        gone.Free();
        reply = holding;
        reply.Tag = 32;
        st = RawEndpoint.ReplyAndReceive(a, ref reply, quiet, out m, out index, out rs, 10);
        p.Check("a reply carrying a freed block: BadMessage (" + Name(rs) + ")", rs == RecvStatus.BadMessage && st == RecvStatus.TimedOut);
        p.Check("nothing arrived from the refused replies", b.Receive(out m, 0) == RecvStatus.TimedOut);

        // d's peer (c) is closed: Closed, and the block stays.
        c.Close();
        reply = new RawMessage { Tag = 33 };
        reply.Add(block);
        st = RawEndpoint.ReplyAndReceive(d, ref reply, quiet, out m, out index, out rs, 10);
        p.Check("a reply to a closed peer: Closed, the block kept (" + Name(rs) + ")",
                rs == RecvStatus.Closed && block[3] == 33 && Exchange.BytesOwned == owned);

        // c itself is closed now: a stale reply handle.
        reply = new RawMessage { Tag = 34 };
        reply.Add(block);
        st = RawEndpoint.ReplyAndReceive(c, ref reply, quiet, out m, out index, out rs, 10);
        p.Check("a reply over a closed handle: BadHandle, the block kept (" + Name(rs) + ")",
                rs == RecvStatus.BadHandle && block[3] == 33 && Exchange.BytesOwned == owned);

        // A reply that went: the block is in flight, so the sender's own copy of it is refused.
        reply = new RawMessage { Tag = 35 };
        reply.Add(block);
        st = RawEndpoint.ReplyAndReceive(a, ref reply, quiet, out m, out index, out rs, 10);
        p.Refused("a block touched after its reply left", () => block[3] = 1);
        st = b.Receive(out m, 100);
        bool back = st == RecvStatus.Ok && m.Tag == 35 && m.HandleCount == 1;
        if (back) block = m.GetBlock(0);
        p.Check("the reply's block arrived whole", back && block[3] == 33);
        if (back) block.Free();
        a.Close(); b.Close(); d.Close(); e.Close(); f.Close();
    }

    // What the threads of one race share: the message carrying the block (plain data, so each
    // thread takes its own view of the block from a copy), and the copier's stop flag and count.
    private sealed class Shared
    {
        public RawMessage Carrying;
        public volatile bool Stop;
        public int Refused;
    }

    // Another thread copies into the block for as long as the race runs, so a reply often finds
    // it preempted inside an access: the kernel then sends a copy of the block and parks the
    // original until the copier has let go of it. Every reply must come back with the block (or
    // its copy), whatever the interleaving, and the copier's accesses to a block gone fail.
    private static void RepliesDuringAccesses(Probes p)
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        var set = new RawEndpoint[1];
        set[0] = b;
        var s = new Shared();
        var first = new RawMessage();
        first.Add(ExBlock.Allocate(4096));
        s.Carrying = first;
        Thread copier = StartCopier(s);
        int rounds = 0, lost = 0;
        ulong end = Clock.NowMs + RaceMs;
        while (Clock.NowMs < end)
        {
            RawMessage reply = s.Carrying;
            reply.Tag = 41;
            RecvStatus st = RawEndpoint.ReplyAndReceive(a, ref reply, set, out RawMessage m, out int index, out RecvStatus rs, 1000);
            rounds++;
            if (st != RecvStatus.Ok || rs != RecvStatus.Ok || index != 0 || m.Tag != 41 || m.HandleCount != 1) { lost++; break; }
            s.Carrying = m;
        }
        s.Stop = true;
        bool ended = copier.Join(5000);
        p.Check("replies while another thread copies into the block: " + rounds.ToString() + " rounds, " + lost.ToString() + " lost, "
                + s.Refused.ToString() + " copies refused", ended && rounds > 0 && lost == 0);
        if (lost == 0) s.Carrying.GetBlock(0).Free();
        a.Close(); b.Close();
    }

    // The same with Call (ABI 44) from this thread to a server thread that echoes with
    // ReplyAndReceive: both sides' sends meet the copier's accesses.
    private static void CallsDuringAccesses(Probes p)
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        var served = new int[1];
        Thread server = Thread.Start(() =>
        {
            var set = new RawEndpoint[1];
            set[0] = b;
            RawEndpoint replyTo = default;
            RawMessage reply = default;
            while (true)
            {
                RecvStatus st = RawEndpoint.ReplyAndReceive(replyTo, ref reply, set, out RawMessage m, out int index, out RecvStatus _, 3000);
                if (st != RecvStatus.Ok) break;               // the client closed its end (or went quiet)
                reply = m;
                reply.Tag = 52;
                replyTo = b;
                served[0]++;
            }
        });
        var s = new Shared();
        var first = new RawMessage();
        first.Add(ExBlock.Allocate(4096));
        s.Carrying = first;
        Thread copier = StartCopier(s);
        int rounds = 0, lost = 0;
        ulong end = Clock.NowMs + RaceMs;
        while (Clock.NowMs < end)
        {
            RawMessage request = s.Carrying;
            request.Tag = 51;
            RecvStatus st = a.Call(ref request, out RawMessage answer, 3000);
            rounds++;
            if (st != RecvStatus.Ok || answer.Tag != 52 || answer.HandleCount != 1) { lost++; break; }
            s.Carrying = answer;
        }
        s.Stop = true;
        bool ended = copier.Join(5000);
        a.Close();
        bool serverEnded = server.Join(5000);
        p.Check("calls while another thread copies into the block: " + rounds.ToString() + " rounds, " + served[0].ToString() + " served, "
                + lost.ToString() + " lost, " + s.Refused.ToString() + " copies refused", ended && serverEnded && rounds > 0 && lost == 0);
        if (lost == 0) s.Carrying.GetBlock(0).Free();
        b.Close();
    }

    private static Thread StartCopier(Shared s)
    {
        var data = new byte[4096];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)(i | 1);
        return Thread.Start(() =>
        {
            while (!s.Stop)
            {
                RawMessage view = s.Carrying;
                try { view.GetBlock(0).CopyFrom(data, 0); }
                catch (InvalidOperationException) { Interlocked.Increment(ref s.Refused); }
            }
        });
    }

    private static string Name(RecvStatus s) => s switch
    {
        RecvStatus.Ok => "Ok",
        RecvStatus.Closed => "Closed",
        RecvStatus.TimedOut => "TimedOut",
        RecvStatus.BadMessage => "BadMessage",
        _ => "BadHandle",
    };
}
