using System;
using Singularity;
using Singularity.Channels;
using Singularity.Ipc;
using Singularity.Threading;

/// <summary>
/// Stale and default handles: default(T) of every public runtime struct, copies used after the
/// original was freed or sent, endpoints used after close. The kernel must refuse whatever this
/// SIP does not own, and change nothing else. (Guessed handle numbers need a forged private
/// field, which verified code cannot write: Tests/TestSips/HostileForger does that.)
/// </summary>
internal static class Handles
{
    private const ulong KindBlock = 1UL << 62;
    private const ulong KindEndpoint = 2UL << 62;

    public static int Run()
    {
        var p = new Probes("handles");
        Defaults(p);
        StaleCopies(p);
        ClosedEndpoints(p);
        p.Check("no exchange memory left owned", Exchange.BytesOwned == 0);
        return p.Finish();
    }

    private static void Defaults(Probes p)
    {
        ExBlock block = default;
        p.Check("default(ExBlock).IsNull", block.IsNull);
        p.Refused("default(ExBlock).Length", () => { int n = block.Length; });
        p.Refused("default(ExBlock)[0]", () => { byte x = block[0]; });
        p.Refused("default(ExBlock).WriteInt64", () => block.WriteInt64(0, 1));
        p.Refused("default(ExBlock).CopyFrom", () => block.CopyFrom(new byte[1], 0));
        p.Refused("default(ExBlock).Free", () => block.Free());
        RawEndpoint ep = default;
        p.Check("default(RawEndpoint).IsNull", ep.IsNull);
        var m = new RawMessage { Tag = 1 };
        p.Check("default(RawEndpoint).Send is BadHandle", ep.Send(ref m, 0) == RecvStatus.BadHandle);
        p.Check("default(RawEndpoint).Receive is BadHandle", ep.Receive(out RawMessage r, 0) == RecvStatus.BadHandle);
        ep.Close();
        p.Refused("RawEndpoint.Select(default)", () => RawEndpoint.Select(new RawEndpoint[1]));
        p.Check("Names.Register with default(RawEndpoint) is refused", !Names.Register("/hostile/default", ep));
        RawMessage empty = default;
        p.Refused("default(RawMessage).GetBlock(0)", () => empty.GetBlock(0));
        EndpointHandle eh = default;
        p.Check("default(EndpointHandle).IsNull", eh.IsNull);
        MessageFrame frame = default;
        p.Refused("default(MessageFrame).TakeBuffer()", () => { MessageFrame f = default; ExBuffer x = f.TakeBuffer(); x.Free(); });
        p.Refused("default(MessageFrame).TakeEndpoint()", () => { MessageFrame f = default; f.TakeEndpoint(); });
        p.Check("default(MessageFrame).Take<int>() reads zero", frame.Take<int>() == 0);
        try { ExBuffer b = default; int n = b.Length; p.Fail("default(ExBuffer).Length was not refused"); }
        catch (Exception e) { Clean(p, "default(ExBuffer).Length", e); }
        try { ExBuffer b = default; b.Free(); p.Fail("default(ExBuffer).Free was not refused"); }
        catch (Exception e) { Clean(p, "default(ExBuffer).Free", e); }
        try { ExArray<int> a = default; a[0] = 1; p.Fail("default(ExArray<int>)[0] was not refused"); }
        catch (Exception e) { Clean(p, "default(ExArray<int>)[0]", e); }
        p.Check("ServiceListener.TryOpen of an unknown path fails", !ServiceListener.TryOpen("/hostile/nothing", out ServiceListener l));
        p.Check("EndpointHandle.TryTakeStartup of an unknown path fails", !EndpointHandle.TryTakeStartup("/hostile/nothing", out EndpointHandle h));
        var cell = new TRef<string>("x");
        cell.Acquire();
        p.Refused("TRef.Acquire of an empty cell", () => cell.Acquire());
        p.RefusedNull("TRef.Release(null)", () => cell.Release(null));
    }

    private static void Clean(Probes p, string what, Exception e)
    {
        if (Probes.IsClean(e)) p.Say(what + " -> " + e.TypeName);
        else p.Fail(what + " threw " + e.TypeName + ": " + e.Message);
    }

    private static void StaleCopies(Probes p)
    {
        ExBlock b = ExBlock.Allocate(64);
        ExBlock copy = b;
        b.Free();
        p.Refused("a copy of a freed block: Length", () => { int n = copy.Length; });
        p.Refused("a copy of a freed block: write", () => { ExBlock c = copy; c[0] = 1; });
        p.Refused("a copy of a freed block: Free", () => copy.Free());
        ExBlock again = ExBlock.Allocate(64);          // likely the same slot, a new generation
        p.Refused("a copy of a freed block after its slot was reused", () => { int n = copy.Length; });
        again[0] = 42;
        p.Check("the new block is unaffected", again[0] == 42 && again.Length == 64);
        again.Free();

        // A block sent and not yet received is the message's; closing the receiving end frees it.
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint z);
        ExBlock sent = ExBlock.Allocate(64);
        ExBlock kept = sent;
        var m = new RawMessage { Tag = 2 };
        m.Add(sent);
        p.Check("send a block", a.Send(ref m, 1000) == RecvStatus.Ok);
        p.Refused("a copy of a block in flight: Length", () => { int n = kept.Length; });
        p.Refused("a copy of a block in flight: Free", () => kept.Free());
        var resend = new RawMessage { Tag = 3 };
        resend.Add(kept);
        p.Check("resending a block in flight is BadMessage", a.Send(ref resend, 0) == RecvStatus.BadMessage);
        z.Close();
        p.Refused("a copy of a block freed with its queue", () => { int n = kept.Length; });
        a.Close();

        // An endpoint sent over another channel leaves this handle.
        RawEndpoint.CreateChannel(out RawEndpoint c1, out RawEndpoint c2);
        RawEndpoint.CreateChannel(out RawEndpoint d1, out RawEndpoint d2);
        RawEndpoint c2copy = c2;
        var carry = new RawMessage { Tag = 4 };
        carry.Add(c2);
        p.Check("send an endpoint", d1.Send(ref carry, 1000) == RecvStatus.Ok);
        var hello = new RawMessage { Tag = 5 };
        p.Check("the sent endpoint's old handle: Send is BadHandle", c2copy.Send(ref hello, 0) == RecvStatus.BadHandle);
        p.Check("the sent endpoint's old handle: Receive is BadHandle", c2copy.Receive(out RawMessage x, 0) == RecvStatus.BadHandle);
        c2copy.Close();
        p.Check("receive the endpoint", d2.Receive(out RawMessage got, 1000) == RecvStatus.Ok && got.HandleCount == 1 && !got.IsBlock(0));
        RawEndpoint arrived = got.GetEndpoint(0);
        p.Check("the channel works through its new handle", c1.Send(ref hello, 1000) == RecvStatus.Ok
                && arrived.Receive(out RawMessage h2, 1000) == RecvStatus.Ok && h2.Tag == 5);
        c1.Close(); arrived.Close(); d1.Close(); d2.Close();
    }

    private static void ClosedEndpoints(Probes p)
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        a.Close();
        var m = new RawMessage { Tag = 6 };
        p.Check("Send after Close is BadHandle", a.Send(ref m, 0) == RecvStatus.BadHandle);
        p.Check("Receive after Close is BadHandle", a.Receive(out RawMessage r, 0) == RecvStatus.BadHandle);
        a.Close();
        p.Refused("Select over a closed endpoint", () => RawEndpoint.Select(new[] { a }));
        p.Check("the peer receives Closed", b.Receive(out RawMessage r2, 1000) == RecvStatus.Closed);
        p.Check("the peer's Send is Closed", b.Send(ref m, 0) == RecvStatus.Closed);
        ExBlock blk = ExBlock.Allocate(32);
        var withBlock = new RawMessage { Tag = 7 };
        withBlock.Add(blk);
        p.Check("a block sent to a closed peer is not taken", b.Send(ref withBlock, 0) == RecvStatus.Closed && blk.Length == 32);
        blk.Free();
        b.Close();
    }

}
