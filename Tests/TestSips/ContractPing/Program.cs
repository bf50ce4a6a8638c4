using Singularity;
using Singularity.Channels;
using Singularity.Contracts;
using Singularity.Ipc;
using Singularity.Threading;

// Generated contract endpoints on the kernel, chosen by the first argument:
//   ping N        N EchoContract round trips with a server thread; the echo channel's
//                 exporting end reaches the server inside an EchoListenerContract message
//   violation     sends a message the protocol forbids and does not catch the exception: the
//                 SIP must fail
//   caught        the same violations as the hosted runtime's SharedChannelBehaviourTests, caught:
//                 prints what each produced (the kernel transport must agree with the hosted one)
public static class Program
{
    public static int Main()
    {
        string args = Sip.Arguments;
        string mode = Word(args, 0);
        if (mode == "violation") return Violation();
        if (mode == "caught") return Caught();
        int n = ParseInt(Word(args, 1), 100);
        return Ping(n);
    }

    private static int Ping(int n)
    {
        EchoListenerContract.NewChannel(out EchoListenerContract.Imp listener, out EchoListenerContract.Exp listening);
        // A tracked value may reach another thread only through a TRef cell, never a bare capture.
        var cell = new TRef<EchoListenerContract.Exp>(listening);
        Thread server = Thread.Start(() => Listen(cell.Acquire()));

        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp serverEnd);
        listener.SendConnect(serverEnd);

        ExBuffer payload = ExBuffer.Allocate(4096);
        int busy = 0;
        for (int seq = 1; seq <= n; seq++)
        {
            payload.WriteInt64(0, seq);
            client.SendPing(seq, payload);
            switch (client.Receive(out EchoContract.Imp.Message reply))
            {
                case EchoContract.Imp.Tag.Pong:
                    reply.TakePong(out int got, out payload);
                    if (got != seq || payload.ReadInt64(0) != seq || payload.ReadInt64(8) != seq * 3L)
                    {
                        Debug.WriteLine("contractping: FAILED wrong reply at seq " + seq.ToString());
                        payload.Free();
                        client.Close();
                        listener.Close();
                        return 1;
                    }
                    break;
                case EchoContract.Imp.Tag.Busy:
                    reply.TakeBusy(out got, out payload);
                    busy++;
                    seq--;
                    break;
                default:
                    // The payload went out with the Ping and never came back.
                    Debug.WriteLine("contractping: FAILED channel closed at seq " + seq.ToString());
                    client.Close();
                    listener.Close();
                    return 1;
            }
        }
        payload.Free();
        client.SendBye();
        string state = client.StateName;
        client.Close();
        listener.Close();
        if (!server.Join(5000)) { Debug.WriteLine("contractping: FAILED server thread did not end"); return 1; }
        Debug.WriteLine("contractping: " + n.ToString() + " round trips ok, state " + state + ", busy " + busy.ToString());
        return 0;
    }

    private static void Listen([Claims, State("Listening")] EchoListenerContract.Exp listening)
    {
        EchoContract.Exp connection;
        if (listening.RecvConnect(out connection) != ReceiveResult.Message)
        {
            Debug.WriteLine("contractping: FAILED listener closed before Connect");
            if (connection != null) connection.Close();
            listening.Close();
            return;
        }
        try { Serve(connection); }
        finally { listening.Close(); }
    }

    private static void Serve([Claims, State("Start")] EchoContract.Exp ep)
    {
        while (true)
        {
            switch (ep.Receive(out EchoContract.Exp.Message m))
            {
                case EchoContract.Exp.Tag.Ping:
                    m.TakePing(out int seq, out ExBuffer payload);
                    payload.WriteInt64(8, seq * 3L);   // prove the server wrote the same block
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

    // Breaks the protocol on purpose, to prove the runtime check (defence in depth) catches
    // what the analyzer would refuse at build time.
    private static int Violation()
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
        client.SendBye();
        Debug.WriteLine("contractping: sending Ping after Bye");
        // The deliberate violation: SendPing in state End. The analyzer's SING0006 is silenced for
        // this one line only, so that the runtime's check can be tested.
#pragma warning disable SING0006
        client.SendPing(1, ExBuffer.Allocate(8));   // the runtime fails the SIP here
#pragma warning restore SING0006
        Debug.WriteLine("contractping: FAILED the violation went unnoticed");
        server.Close();
        client.Close();
        return 1;
    }

    // Each line is what Tests/Generator.Tests/SharedChannelBehaviourTests asserts on the hosted runtime.
    private static int Caught()
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
        client.SendPing(1, ExBuffer.Allocate(8));
        try
        {
#pragma warning disable SING0006
            client.SendBye();   // Start#1 waits for Pong or Busy
#pragma warning restore SING0006
            Debug.WriteLine("contractping: FAILED the violation went unnoticed");
        }
        catch (ProtocolViolationException e)
        {
            Debug.WriteLine("contractping: caught " + e.Message + "; closed " + (client.IsClosed ? "yes" : "no"));
        }
        try
        {
            client.Receive(out EchoContract.Imp.Message reply, 0);
            reply.Discard();
            Debug.WriteLine("contractping: FAILED a closed endpoint received");
        }
        catch (ProtocolViolationException e)
        {
            Debug.WriteLine("contractping: caught " + e.Message);
        }
        client.Close();
        Debug.WriteLine("contractping: the peer got " + Drain(server));

        // A send to a closed peer is not an error, and what it carried is released.
        EchoContract.NewChannel(out EchoContract.Imp lonely, out EchoContract.Exp gone);
        gone.Close();
        long before = (long)Exchange.BytesOwned;
        lonely.SendPing(3, ExBuffer.Allocate(4096));
        EchoContract.Imp.Tag r = lonely.Receive(out EchoContract.Imp.Message pong, 5000);
        pong.Discard();
        Debug.WriteLine("contractping: send to a closed peer: " + (r == EchoContract.Imp.Tag.ChannelClosed ? "ChannelClosed" : "something else")
            + ", exchange bytes back to " + ((long)Exchange.BytesOwned == before ? "before" : "more"));
        lonely.Close();
        Debug.WriteLine("contractping: caught done");
        return 0;
    }

    // What the peer of a violator sees, in order (it answers each Ping; the answer to a closed peer is dropped).
    private static string Drain([Claims, State("Start")] EchoContract.Exp ep)
    {
        string seen = "";
        while (true)
        {
            switch (ep.Receive(out EchoContract.Exp.Message m, 5000))
            {
                case EchoContract.Exp.Tag.Ping:
                    m.TakePing(out int seq, out ExBuffer payload);
                    seen = seen + "Ping " + seq.ToString() + ", then ";
                    ep.SendPong(seq, payload);
                    break;
                case EchoContract.Exp.Tag.Bye:
                    m.TakeBye();
                    ep.Close();
                    return seen + "Bye";
                case EchoContract.Exp.Tag.ChannelClosed:
                    ep.Close();
                    return seen + "ChannelClosed";
                default:
                    ep.Close();
                    return seen + "a timeout";
            }
        }
    }

    private static string Word(string s, int index)
    {
        int i = 0, w = 0;
        while (true)
        {
            while (i < s.Length && s[i] == ' ') i++;
            if (i >= s.Length) return "";
            int start = i;
            while (i < s.Length && s[i] != ' ') i++;
            if (w == index) return s.Substring(start, i - start);
            w++;
        }
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
