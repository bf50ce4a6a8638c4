
    [Fact]
    public void __T__ServiceAnswersEachPingWithItsPayloadUntilBye()
    {
        string name = UniqueName("__t__");
        Assert.True(EchoContract.Listener.TryRegister(name, out EchoContract.Listener listener));
        Assert.True(EchoContract.Bind(name, out EchoContract.Imp client));
        Assert.Equal(ReceiveResult.Message, listener.Accept(out EchoContract.Exp server, Patience));
        int served = -1;
        var service = new System.Threading.Thread(() => served = __T__Service.Serve(server));
        service.Start();
        for (int seq = 1; seq <= 3; seq++)
        {
            ExBuffer payload = ExBuffer.Allocate(8);
            payload.WriteInt64(0, seq * 1000L);
            client.SendPing(seq, payload);
            Assert.Equal(EchoContract.Imp.Tag.Pong, client.Receive(out EchoContract.Imp.Message reply, Patience));
            reply.TakePong(out int got, out ExBuffer back);
            Assert.Equal(seq, got);
            Assert.Equal(seq * 1000L, back.ReadInt64(0));
            back.Free();
        }
        client.SendBye();
        Assert.True(service.Join(Patience), "the service did not end after Bye");
        Assert.Equal(3, served);
        client.Close();
        listener.Close();
    }

    [Fact]
    public void __T__MainRegistersItsNameAndServesAClient()
    {
        // Main as the kernel would run it: it registers /service/__t__ and serves clients in turn.
        HostedSip sip = HostedSip.Start("__t__", __T__Program.Main);
        Assert.True(EchoContract.Bind(__T__Program.ServiceName, out EchoContract.Imp client, Patience), "the service never registered its name");
        client.SendPing(7, ExBuffer.Allocate(8));
        Assert.Equal(EchoContract.Imp.Tag.Pong, client.Receive(out EchoContract.Imp.Message reply, Patience));
        reply.TakePong(out int seq, out ExBuffer back);
        back.Free();
        Assert.Equal(7, seq);
        client.Close();
        SpinWaitFor(() => sip.Output.Contains("a client left after 1 pings"));
        Assert.Contains("__t__: listening on /service/__t__", sip.Output);
    }

    private static void SpinWaitFor(Func<bool> condition)
    {
        long end = Environment.TickCount64 + Patience;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < end, "timed out waiting");
            System.Threading.Thread.Sleep(5);
        }
    }
