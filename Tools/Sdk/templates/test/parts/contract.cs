
    [Fact]
    public void __T__ContractCarriesAnAskAndItsAnswer()
    {
        string name = UniqueName("__t__");
        Assert.True(__T__.__T__Contract.Listener.TryRegister(name, out __T__.__T__Contract.Listener listener));
        Assert.True(__T__.__T__Contract.Bind(name, out __T__.__T__Contract.Imp client));
        Assert.Equal(ReceiveResult.Message, listener.Accept(out __T__.__T__Contract.Exp server, Patience));
        client.SendAsk(41);
        Assert.Equal(ReceiveResult.Message, server.RecvAsk(out int asked, Patience));
        Assert.Equal(41, asked);
        server.SendAnswer(asked + 1);
        Assert.Equal(ReceiveResult.Message, client.RecvAnswer(out int answer, Patience));
        Assert.Equal(42, answer);
        client.Close();
        Assert.Equal(ReceiveResult.ChannelClosed, server.RecvAsk(out _, Patience));
        server.Close();
        listener.Close();
    }
