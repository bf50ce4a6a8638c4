using System.Runtime.InteropServices;
using Singularity;
using Singularity.Ipc;
using Singularity.Threading;

/// <summary>
/// Forged block handles on the channel fast path (docs/channels.md "Lean blocks"): in a Call to a
/// server thread already waiting in ReplyAndReceive, and in a reply to a client already waiting
/// in Call, where the kernel checks a handle with one compare of its upper half (kind and
/// generation) against the slot's key, and one of the slot's owner. This SIP's own block's slot
/// with another kind (the unused kind, none), another generation (next, 0, the top
/// bit flipped), the next slot, the block twice, and a freed block: each BadMessage, nothing
/// delivered, and the block still this SIP's, whole, after a real round trip.
/// </summary>
internal static class ForgedFastPath
{
    [StructLayout(LayoutKind.Explicit)]
    private struct ForgedMessage
    {
        [FieldOffset(0)] public RawMessage Message;
        [FieldOffset(4)] public int HandleCount;
        [FieldOffset(72)] public ulong H0;
        [FieldOffset(80)] public ulong H1;
    }

    private sealed class Server
    {
        public RawEndpoint End;
        public ulong[] Forged;
        public int Received, WithHandles, RepliesRefused, RepliesTried;
    }

    private const ulong KindBlock = 1UL << 62;
    private const ulong GenerationMask = 0x3FFFFFFFUL << 32;

    public static int Run()
    {
        var p = new Probes("fastpath");
        ulong before = Exchange.BytesOwned;
        ExBlock mine = ExBlock.Allocate(4096);
        mine[100] = 77;
        ExBlock gone = ExBlock.Allocate(64);
        ulong h = HandleOf(mine), goneHandle = HandleOf(gone);
        gone.Free();
        ulong gen = h & GenerationMask, slot = (uint)h;
        ulong next = ((gen >> 32) + 1) & 0x3FFFFFFFUL;
        // (Not the endpoint kind: the general path would look its low half up as an endpoint number.)
        ulong[] forged = Probes.Values((3UL << 62) | gen | slot, gen | slot,
                                       KindBlock | (next << 32) | slot, KindBlock | slot, h ^ (1UL << 61), h + 1);
        p.Check("this block's handle is a block-kind handle with a generation", (h & (3UL << 62)) == KindBlock && gen != 0);

        RawEndpoint.CreateChannel(out RawEndpoint client, out RawEndpoint server);
        var s = new Server { End = server, Forged = forged };
        Thread t = Thread.Start(() => Serve(s));
        Thread.Sleep(20);       // the server thread waits in ReplyAndReceive: a Call goes the fast path

        int refused = 0, tried = 0;
        for (int k = 0; k <= forged.Length + 1; k++)
        {
            var f = new ForgedMessage();
            f.Message.Tag = 40 + k;
            f.HandleCount = k < forged.Length ? 1 : 2;
            f.H0 = k < forged.Length ? forged[k] : k == forged.Length ? h : goneHandle;
            f.H1 = k == forged.Length ? h : 0;          // the block twice
            if (k == forged.Length + 1) f.HandleCount = 1;  // a freed block
            tried++;
            RecvStatus st = client.Call(ref f.Message, out RawMessage r, 1000);
            if (st == RecvStatus.BadMessage) refused++;
            else p.Fail("a Call carrying forged handle " + f.H0.ToString() + " (" + f.HandleCount.ToString() + " handles) was status " + ((int)st).ToString());
            Thread.Sleep(2);
        }
        p.Check("forged block handles in a Call to a waiting server: all BadMessage (" + refused.ToString() + " of " + tried.ToString() + ")", refused == tried);

        // The server answers tag 50 with a forged reply of each kind first, then a real one.
        var ask = new RawMessage { Tag = 50 };
        RecvStatus asked = client.Call(ref ask, out RawMessage answer, 5000);
        p.Check("forged block handles in a reply to a waiting client: all BadMessage (" + s.RepliesRefused.ToString() + " of " + s.RepliesTried.ToString() + "), then the real reply",
                asked == RecvStatus.Ok && answer.Tag == 52 && answer.HandleCount == 0 && s.RepliesTried == forged.Length && s.RepliesRefused == s.RepliesTried);

        // A real round trip with the block: it comes back whole.
        var req = new RawMessage { Tag = 60 };
        req.Add(mine);
        RecvStatus rt = client.Call(ref req, out RawMessage rep, 5000);
        bool back = rt == RecvStatus.Ok && rep.Tag == 60 && rep.HandleCount == 1;
        if (back) mine = rep.GetBlock(0);
        p.Check("this SIP's block made a real round trip, whole", back && mine.Length == 4096 && mine[100] == 77);
        client.Close();
        p.Check("the server ended", t.Join(5000));
        p.Check("the server received only the two real requests, one block", s.Received == 2 && s.WithHandles == 1);
        mine.Free();
        server.Close();
        p.Check("no exchange memory left owned", Exchange.BytesOwned == before);
        return p.Finish();
    }

    // Echoes each request; tag 50 is first answered with each forged reply (the client waits in Call).
    private static void Serve(Server s)
    {
        var set = new[] { s.End };
        RawEndpoint replyTo = default;
        var reply = new RawMessage();
        while (true)
        {
            RecvStatus st = RawEndpoint.ReplyAndReceive(replyTo, ref reply, set, out RawMessage m, out int index, out RecvStatus rs, 5000);
            replyTo = default;
            if (st != RecvStatus.Ok) return;
            s.Received++;
            if (m.HandleCount != 0) s.WithHandles++;
            if (m.Tag == 50)
            {
                for (int k = 0; k < s.Forged.Length; k++)
                {
                    var f = new ForgedMessage();
                    f.Message.Tag = 51;
                    f.HandleCount = 1;
                    f.H0 = s.Forged[k];
                    s.RepliesTried++;
                    RawEndpoint.ReplyAndReceive(s.End, ref f.Message, set, out RawMessage none, out int ni, out RecvStatus frs, 1);
                    if (frs == RecvStatus.BadMessage) s.RepliesRefused++;
                }
                reply = new RawMessage { Tag = 52 };
            }
            else reply = m;
            replyTo = s.End;
        }
    }

    private static ulong HandleOf(ExBlock block)
    {
        var f = new ForgedMessage();
        f.Message.Add(block);
        return f.H0;
    }
}
