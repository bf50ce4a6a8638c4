using System;
using Singularity;
using Singularity.Channels;
using Singularity.Ipc;      // Exchange.BytesOwned
using Singularity.Threading;

/// <summary>
/// Stale and default handles: default(T) of every public runtime struct, copies used after the
/// original was freed or sent, endpoints used after close. The kernel must refuse whatever this
/// SIP does not own, and change nothing else. (Guessed handle numbers need a forged private
/// field, which verified code cannot write: Tests/TestSips/HostileForger does that.)
/// Verified code cannot copy a tracked value (SV0301/SV0304), but a MessageFrame is plain data:
/// a copy of a frame keeps the handles it carries, so taking them from the copy after the
/// original's were freed, sent or closed is how this SIP holds a stale handle.
/// </summary>
internal static class Handles
{
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
        try { ExBuffer b = default; int n = b.Length; p.Fail("default(ExBuffer).Length was not refused"); }
        catch (Exception e) { Clean(p, "default(ExBuffer).Length", e); }
        try { ExBuffer b = default; byte x = b[0]; p.Fail("default(ExBuffer)[0] was not refused"); }
        catch (Exception e) { CleanOrNull(p, "default(ExBuffer)[0]", e); }
        try { ExBuffer b = default; b.WriteInt64(0, 1); p.Fail("default(ExBuffer).WriteInt64 was not refused"); }
        catch (Exception e) { Clean(p, "default(ExBuffer).WriteInt64", e); }
        try { ExBuffer b = default; b.CopyFrom(new byte[1], 0); p.Fail("default(ExBuffer).CopyFrom was not refused"); }
        catch (Exception e) { Clean(p, "default(ExBuffer).CopyFrom", e); }
        try { ExBuffer b = default; b.Free(); p.Fail("default(ExBuffer).Free was not refused"); }
        catch (Exception e) { Clean(p, "default(ExBuffer).Free", e); }
        try { ExArray<int> a = default; a[0] = 1; p.Fail("default(ExArray<int>)[0] was not refused"); }
        catch (Exception e) { CleanOrNull(p, "default(ExArray<int>)[0]", e); }
        EndpointHandle eh = default;
        p.Check("default(EndpointHandle).IsNull", eh.IsNull);
        p.Refused("an endpoint over default(EndpointHandle)", () => { Wire w = Wire.From(default); w.Close(); });
        MessageFrame frame = default;
        p.Refused("default(MessageFrame).TakeBuffer()", () => { MessageFrame f = default; ExBuffer x = f.TakeBuffer(); x.Free(); });
        p.Refused("default(MessageFrame).TakeEndpoint()", () => { MessageFrame f = default; Wire w = Wire.From(f.TakeEndpoint()); w.Close(); });
        p.Check("default(MessageFrame).Take<int>() reads zero", frame.Take<int>() == 0);

        // A frame carrying default handles: the kernel refuses the send, the sender's end is closed
        // (ProtocolViolationException), the peer sees only a closed channel.
        Wire.NewChannel(out Wire a1, out Wire z1);
        try
        {
            var withEndpoint = new MessageFrame { Tag = 1 };
            withEndpoint.PutEndpoint(default);
            SendRefused(p, "sending default(EndpointHandle)", a1, withEndpoint);
            p.Check("the peer of a refused send sees the channel closed", z1.Receive(out MessageFrame none, 1000) == ReceiveResult.ChannelClosed);
        }
        finally { a1.Close(); z1.Close(); }
        Wire.NewChannel(out Wire a2, out Wire z2);
        try
        {
            var withBuffer = new MessageFrame { Tag = 1 };
            withBuffer.PutBuffer(default);
            SendRefused(p, "sending default(ExBuffer)", a2, withBuffer);
        }
        finally { a2.Close(); z2.Close(); }

        p.Check("ServiceListener.TryOpen of an unknown path fails", !ServiceListener.TryOpen("/hostile/nothing", out ServiceListener l));
        p.Check("EndpointHandle.TryTakeStartup of an unknown path fails", !EndpointHandle.TryTakeStartup("/hostile/nothing", out EndpointHandle h));
        p.Check("EndpointHandle.TryBind of an unknown name fails", !EndpointHandle.TryBind("/hostile/nothing", out EndpointHandle bound));
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

    // The indexers of the null block read its header's key through a null header pointer (no
    // test of their own on the hot path): a NullReferenceException, as for a null array, which
    // reaches nothing (docs/channels.md "Exchange heap").
    private static void CleanOrNull(Probes p, string what, Exception e)
    {
        if (Probes.IsClean(e) || e is NullReferenceException) p.Say(what + " -> " + e.TypeName);
        else p.Fail(what + " threw " + e.TypeName + ": " + e.Message);
    }

    private static MessageFrame Carrying([Claims] ExBuffer buffer)
    {
        var f = new MessageFrame { Tag = 2 };
        f.PutBuffer(buffer);
        return f;
    }

    private static MessageFrame Carrying([Claims] EndpointHandle handle)
    {
        var f = new MessageFrame { Tag = 4 };
        f.PutEndpoint(handle);
        return f;
    }

    // w is borrowed: the caller closes it (a refused send has closed it already).
    private static void SendRefused(Probes p, string what, Wire w, MessageFrame frame)
    {
        try { w.Send(ref frame); p.Fail(what + " was not refused"); }
        catch (Exception e) { Clean(p, what, e); }
    }

    private static void SelectRefused(Probes p, string what, Wire w)
    {
        try { EndpointSet.Select(new Endpoint[] { w }, 0); p.Fail(what + " was not refused"); }
        catch (Exception e) { Clean(p, what, e); }
    }

    private static void StaleCopies(Probes p)
    {
        MessageFrame holder = Carrying(ExBuffer.Allocate(64));
        MessageFrame copy = holder;
        ExBuffer b = holder.TakeBuffer();
        b.Free();
        p.Refused("a copy of a freed buffer: Length", () => { MessageFrame f = copy; ExBuffer x = f.TakeBuffer(); int n = x.Length; x.Free(); });
        p.Refused("a copy of a freed buffer: write", () => { MessageFrame f = copy; ExBuffer x = f.TakeBuffer(); x[0] = 1; x.Free(); });
        p.Refused("a copy of a freed buffer: Free", () => { MessageFrame f = copy; ExBuffer x = f.TakeBuffer(); x.Free(); });
        ExBuffer again = ExBuffer.Allocate(64);          // likely the same slot, a new generation
        try
        {
            p.Refused("a copy of a freed buffer after its slot was reused", () => { MessageFrame f = copy; ExBuffer x = f.TakeBuffer(); int n = x.Length; x.Free(); });
            again[0] = 42;
            p.Check("the new buffer is unaffected", again[0] == 42 && again.Length == 64);
        }
        finally { again.Free(); }

        // A buffer sent and not yet received is the message's; closing the receiving end frees it.
        MessageFrame kept = default;
        Wire.NewChannel(out Wire a, out Wire z);
        try
        {
            MessageFrame m = Carrying(ExBuffer.Allocate(64));
            kept = m;
            a.Send(ref m);
            p.Say("sent a buffer");
            p.Refused("a copy of a buffer in flight: Length", () => { MessageFrame f = kept; ExBuffer x = f.TakeBuffer(); int n = x.Length; x.Free(); });
            p.Refused("a copy of a buffer in flight: Free", () => { MessageFrame f = kept; ExBuffer x = f.TakeBuffer(); x.Free(); });
            // The kernel refuses the second send (BadMessage); the typed layer makes that a
            // ProtocolViolationException and closes the sending end, which then refuses every use.
            SendRefused(p, "resending a buffer in flight", a, kept);
            p.Check("the sender's end is closed by the refused send", a.IsClosed);
            SendRefused(p, "Send on an endpoint closed by a refused send", a, new MessageFrame { Tag = 3 });
            SelectRefused(p, "Select over an endpoint closed by a refused send", a);
        }
        finally { z.Close(); a.Close(); }
        p.Refused("a copy of a buffer freed with its queue", () => { MessageFrame f = kept; ExBuffer x = f.TakeBuffer(); int n = x.Length; x.Free(); });

        // An endpoint sent over another channel leaves this handle.
        Wire.NewChannel(out Wire d1, out Wire d2);
        try
        {
            EndpointHandle.CreateChannel(out EndpointHandle c1h, out EndpointHandle c2h);
            MessageFrame carry = Carrying(c2h);
            MessageFrame sendCopy = carry, receiveCopy = carry;
            Wire c1 = Wire.From(c1h);
            try
            {
                d1.Send(ref carry);
                p.Say("sent an endpoint");
                Wire oldSender = Wire.From(sendCopy.TakeEndpoint());
                try { SendRefused(p, "Send on the sent endpoint's old handle", oldSender, new MessageFrame { Tag = 5 }); }
                finally { oldSender.Close(); }
                Wire oldReceiver = Wire.From(receiveCopy.TakeEndpoint());
                try { p.Check("the sent endpoint's old handle: Receive is refused (ChannelClosed, not TimedOut)", oldReceiver.Receive(out MessageFrame x0, 0) == ReceiveResult.ChannelClosed); }
                finally { oldReceiver.Close(); }
                if (d2.Receive(out MessageFrame got, 1000) == ReceiveResult.Message && got.Carries("E"))
                {
                    Wire arrived = Wire.From(got.TakeEndpoint());
                    try
                    {
                        var hello = new MessageFrame { Tag = 5 };
                        c1.Send(ref hello);
                        p.Check("the channel works through its new handle", arrived.Receive(out MessageFrame h2, 1000) == ReceiveResult.Message && h2.Tag == 5);
                    }
                    finally { arrived.Close(); }
                }
                else p.Fail("the endpoint did not arrive");
            }
            finally { c1.Close(); }
        }
        finally { d1.Close(); d2.Close(); }
    }

    private static void ClosedEndpoints(Probes p)
    {
        // Use of an endpoint after its Close is refused when the SIP is built (SING0001, SV0301);
        // the closed handle itself, reached through a copy of the frame that carried it, is refused by the kernel.
        EndpointHandle.CreateChannel(out EndpointHandle ah, out EndpointHandle bh);
        MessageFrame hold = Carrying(ah);
        MessageFrame sendCopy = hold, receiveCopy = hold, selectCopy = hold;
        Wire b = Wire.From(bh);
        try
        {
            Wire a = Wire.From(hold.TakeEndpoint());
            a.Close();
            Wire staleSender = Wire.From(sendCopy.TakeEndpoint());
            try { SendRefused(p, "Send on a closed handle", staleSender, new MessageFrame { Tag = 6 }); }
            finally { staleSender.Close(); }
            Wire staleReceiver = Wire.From(receiveCopy.TakeEndpoint());
            try { p.Check("Receive on a closed handle is refused (ChannelClosed)", staleReceiver.Receive(out MessageFrame r, 0) == ReceiveResult.ChannelClosed); }
            finally { staleReceiver.Close(); }
            Wire staleSelected = Wire.From(selectCopy.TakeEndpoint());
            try { SelectRefused(p, "Select over a closed handle", staleSelected); }
            finally { staleSelected.Close(); }
            p.Check("the peer receives ChannelClosed", b.Receive(out MessageFrame r2, 1000) == ReceiveResult.ChannelClosed);
            // As in Singularity a send to a closed peer is no error; what the message carried is freed, not leaked.
            MessageFrame withBlock = Carrying(ExBuffer.Allocate(32));
            MessageFrame blockCopy = withBlock;
            ulong before = Exchange.BytesOwned;
            b.Send(ref withBlock);
            p.Check("a buffer sent to a closed peer is freed", Exchange.BytesOwned < before);
            p.Refused("a copy of a buffer sent to a closed peer", () => { MessageFrame f = blockCopy; ExBuffer x = f.TakeBuffer(); int n = x.Length; x.Free(); });
        }
        finally { b.Close(); }
    }
}
