using Singularity.Channels;
using Singularity.Contracts;
using Singularity.Tests.Generator.Contracts;

namespace Singularity.Tests.Generator;

/// <summary>The hosted runtime running generated endpoints between threads.</summary>
public class HostedRuntimeTests
{
    private const int Patience = 10_000;

    private static void Serve(EchoContract.Exp ep)
    {
        while (true)
        {
            switch (ep.Receive(out EchoContract.Exp.Message m))
            {
                case EchoContract.Exp.Tag.Ping:
                    m.TakePing(out int seq, out ExBuffer payload);
                    payload.WriteInt64(8, seq * 3L);
                    ep.SendPong(seq, payload);
                    break;
                case EchoContract.Exp.Tag.Bye:
                    m.TakeBye();
                    ep.Close();
                    return;
                default:
                    ep.Close();
                    return;
            }
        }
    }

    private static Thread Start(Action body)
    {
        var t = new Thread(() => body()) { IsBackground = true };
        t.Start();
        return t;
    }

    [Fact]
    public void PingPongBetweenTwoThreads()
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
        Thread t = Start(() => Serve(server));
        ExBuffer payload = ExBuffer.Allocate(64);
        for (int seq = 1; seq <= 200; seq++)
        {
            payload.WriteInt64(0, seq);
            client.SendPing(seq, payload);
            Assert.Equal(ReceiveResult.Message, client.RecvPong(out int got, out payload, Patience));
            Assert.Equal(seq, got);
            Assert.Equal(seq, payload.ReadInt64(0));
            Assert.Equal(seq * 3L, payload.ReadInt64(8));
        }
        payload.Free();
        client.SendBye();
        Assert.Equal("End", client.StateName);
        client.Close();
        Assert.True(t.Join(Patience));
    }

    [Fact]
    public void SwitchReceiveWithTagEnum()
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
        Thread t = Start(() =>
        {
            Assert.Equal(EchoContract.Exp.Tag.Ping, server.Receive(out EchoContract.Exp.Message m, Patience));
            m.TakePing(out int seq, out ExBuffer b);
            server.SendBusy(seq, b);
            Serve(server);
        });
        client.SendPing(7, ExBuffer.Allocate(16));
        var tag = client.Receive(out EchoContract.Imp.Message reply, Patience);
        Assert.Equal(EchoContract.Imp.Tag.Busy, tag);
        var copy = reply;                                                                // a copy is the same message
        reply.TakeBusy(out int s, out ExBuffer back);
        Assert.Equal(7, s);
        Assert.Throws<InvalidOperationException>(() => reply.TakeBusy(out _, out _));   // taken once
        var e = Assert.Throws<ProtocolViolationException>(() => copy.TakeBusy(out _, out _));   // also through the copy
        Assert.Contains("already taken", e.Message);
        back.Free();
        client.SendBye();
        client.Close();
        Assert.True(t.Join(Patience));
    }

    [Fact]
    public void ChannelCarryingAChannel()
    {
        EchoListenerContract.NewChannel(out EchoListenerContract.Imp listener, out EchoListenerContract.Exp listening);
        Thread t = Start(() =>
        {
            Assert.Equal(ReceiveResult.Message, listening.RecvConnect(out EchoContract.Exp connection, Patience));
            Assert.Equal("Start", connection.StateName);
            Serve(connection);
            listening.Close();
        });
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp serverEnd);
        listener.SendConnect(serverEnd);
        Assert.True(serverEnd.IsClosed);   // it travelled: this copy is dead
        Assert.Throws<ProtocolViolationException>(() => serverEnd.RecvPing(out _, out _, 0));   // as on the kernel

        client.SendPing(41, ExBuffer.Allocate(16));
        Assert.Equal(ReceiveResult.Message, client.RecvPong(out int seq, out ExBuffer payload, Patience));
        Assert.Equal(41, seq);
        Assert.Equal(123, payload.ReadInt64(8));
        payload.Free();
        client.SendBye();
        client.Close();
        listener.Close();
        Assert.True(t.Join(Patience));
    }

    [Fact]
    public void SendingAnEndpointInTheWrongStateIsAViolation()
    {
        EchoListenerContract.NewChannel(out EchoListenerContract.Imp listener, out EchoListenerContract.Exp listening);
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp serverEnd);
        client.SendPing(1, ExBuffer.Allocate(8));
        serverEnd.RecvPing(out _, out ExBuffer b, Patience);   // serverEnd is now mid-exchange, not in Start
        var e = Assert.Throws<ProtocolViolationException>(() => listener.SendConnect(serverEnd));
        Assert.Contains("client", e.Message);
        b.Free();
    }

    [Fact]
    public void ChannelClosedWhenThePeerCloses()
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
        Thread t = Start(() => server.Close());
        Assert.True(t.Join(Patience));
        // A send to a closed peer is not an error (as in Singularity); the receive reports it.
        client.SendPing(1, ExBuffer.Allocate(8));
        Assert.Equal(ReceiveResult.ChannelClosed, client.RecvPong(out _, out _, Patience));
        Assert.Equal(EchoContract.Imp.Tag.ChannelClosed, client.Receive(out _, Patience));
    }

    [Fact]
    public void QueuedMessagesArriveBeforeChannelClosed()
    {
        StreamContract.NewChannel(out StreamContract.Imp writer, out StreamContract.Exp reader);
        writer.SendItem(1);
        writer.SendItem(2);
        writer.Close();
        Assert.Equal(ReceiveResult.Message, reader.RecvItem(out int a, Patience));
        Assert.Equal(ReceiveResult.Message, reader.RecvItem(out int b, Patience));
        Assert.Equal((1, 2), (a, b));
        Assert.Equal(ReceiveResult.ChannelClosed, reader.RecvItem(out _, Patience));
    }

    [Fact]
    public void ChannelClosedWhenThePeerThreadDies()
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
        Thread t = Start(() =>
        {
            // Uses its end once, then the thread ends without closing it (a crashed SIP).
            server.RecvPing(out _, out ExBuffer b, Patience);
            b.Free();
        });
        client.SendPing(1, ExBuffer.Allocate(8));
        Assert.True(t.Join(Patience));
        Assert.Equal(ReceiveResult.ChannelClosed, client.RecvPong(out _, out _, Patience));
        GC.KeepAlive(server);
    }

    [Fact]
    public void AnAbandonedEndpointStaysOpenWhileItsThreadLives()
    {
        // As on the kernel, where an endpoint is closed by Close or by its SIP's end, never by the
        // collector: nothing references the exporter, but its creating thread (this one) lives.
        EchoContract.Imp client = MakeAndDropExporter();
        for (int i = 0; i < 3; i++) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        Assert.Equal(EchoContract.Imp.Tag.TimedOut, client.Receive(out _, 100));
        client.Close();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static EchoContract.Imp MakeAndDropExporter()
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp _);
        return client;
    }

    [Fact]
    public void ReceiveTimesOut()
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(ReceiveResult.TimedOut, server.RecvPing(out _, out _, 100));
        Assert.InRange(watch.ElapsedMilliseconds, 90, 5000);
        Assert.Equal(EchoContract.Exp.Tag.TimedOut, server.Receive(out _, 0));
        Assert.Equal("Start", server.StateName);   // a timeout changes no state
        client.Close();
        server.Close();
    }

    [Fact]
    public void ProtocolViolationOnSend()
    {
        JobContract.NewChannel(out JobContract.Imp client, out JobContract.Exp worker);
        var e = Assert.Throws<ProtocolViolationException>(() => worker.SendResult(1, 2));
        Assert.Contains("JobContract.Exp", e.Message);
        Assert.Contains("SendResult", e.Message);
        Assert.Contains("Idle", e.Message);
        // The violator's end is closed, so its peer is not left waiting.
        Assert.Equal(JobContract.Imp.Tag.ChannelClosed, client.Receive(out _, Patience));
    }

    [Fact]
    public void ProtocolViolationOnReceive()
    {
        JobContract.NewChannel(out JobContract.Imp client, out JobContract.Exp worker);
        // Receiving Result in Idle is not allowed: checked before waiting.
        Assert.Throws<ProtocolViolationException>(() => client.RecvResult(out _, out _, 0));
    }

    [Fact]
    public void ProtocolViolationWhenTheWrongMessageArrives()
    {
        JobContract.NewChannel(out JobContract.Imp client, out JobContract.Exp worker);
        client.SendRequest(5);
        worker.RecvRequest(out int id, Patience);
        worker.SendProgress(50);
        var e = Assert.Throws<ProtocolViolationException>(() => client.RecvResult(out _, out _, Patience));
        Assert.Contains("received Progress", e.Message);
    }

    [Fact]
    public void CloseOnlyInClosableStates()
    {
        JobContract.NewChannel(out JobContract.Imp client, out JobContract.Exp worker);
        client.SendRequest(1);
        Assert.Throws<ProtocolViolationException>(() => client.Close());   // Working is not closable
    }

    [Fact]
    public void BackPressureOnABoundedQueue()
    {
        StreamContract.NewChannel(out StreamContract.Imp writer, out StreamContract.Exp reader);
        int sent = 0;
        Thread t = Start(() =>
        {
            for (int i = 0; i < 20; i++) { writer.SendItem(i); Interlocked.Increment(ref sent); }
        });
        // The queue holds 16: the sender gets that far, then its 17th send waits for room.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref sent) < 16 && watch.ElapsedMilliseconds < Patience) Thread.Sleep(10);
        Thread.Sleep(200);
        Assert.Equal(16, Volatile.Read(ref sent));
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(ReceiveResult.Message, reader.RecvItem(out int n, Patience));
            Assert.Equal(i, n);
        }
        Assert.True(t.Join(Patience));
        Assert.Equal(20, sent);
    }

    [Fact]
    public void BufferOwnershipIsChecked()
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
        ExBuffer b = ExBuffer.Allocate(32);
        ExBuffer copy = b;
        client.SendPing(1, b);
        // The kernel's refusals: a block this SIP no longer owns is InvalidOperationException.
        Assert.Throws<InvalidOperationException>(() => b.WriteInt64(0, 1));      // sent
        Assert.Throws<InvalidOperationException>(() => copy.ReadInt64(0));       // every copy
        server.RecvPing(out _, out ExBuffer received, Patience);
        received.WriteInt64(0, 9);
        received.Free();
        Assert.Throws<InvalidOperationException>(() => received.Free());         // double free
        Assert.Throws<InvalidOperationException>(() => received[0]);

        ExArray<int> a = ExArray<int>.Allocate(4);
        a[3] = 7;
        Assert.Equal(7, a[3]);
        Assert.Throws<IndexOutOfRangeException>(() => a[4]);
        a.Free();
        Assert.Throws<InvalidOperationException>(() => a[3]);
    }

    [Fact]
    public void SelectOverSeveralEndpoints()
    {
        StreamContract.NewChannel(out StreamContract.Imp w1, out StreamContract.Exp r1);
        StreamContract.NewChannel(out StreamContract.Imp w2, out StreamContract.Exp r2);
        var set = new Endpoint[] { r1, r2 };
        Assert.Equal(-1, EndpointSet.Select(set, 50));
        w2.SendItem(5);
        Assert.Equal(1, EndpointSet.Select(set, Patience));
        r2.RecvItem(out _, 0);
        w1.Close();
        Assert.Equal(0, EndpointSet.Select(set, Patience));
        w2.Close();
    }

    [Fact]
    public void TRefHoldsOneOwner()
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
        var cell = new TRef<EchoContract.Exp>(server);
        EchoContract.Exp taken = cell.Acquire();
        Assert.Throws<InvalidOperationException>(() => cell.Acquire());
        cell.Release(taken);
        Assert.Throws<InvalidOperationException>(() => cell.Release(taken));
        cell.Acquire().Close();
        client.Close();
    }
}
