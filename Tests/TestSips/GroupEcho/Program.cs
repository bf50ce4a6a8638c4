using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

// A service serving many clients at once from one EndpointGroup, and clients that each keep a
// ping in flight on many channels. Reports go to the kernel log (Debug).
public static class Program
{
    private const int PayloadBytes = 16;

    public static int Main()
    {
        string[] args = Singularity.Text.Words.Split(Sip.Arguments);
        if (args.Length == 3 && args[0] == "server") return Server(args[1], Number(args[2]));
        if (args.Length == 5 && args[0] == "client") return Client(args[1], Number(args[2]), Number(args[3]), Number(args[4]));
        Debug.WriteLine("groupecho: usage: server NAME CLIENTS | client NAME CONNECTIONS ROUNDS ID");
        return 2;
    }

    private static int Number(string s) => int.TryParse(s, out int n) && n > 0 && n < 10000 ? n : 0;

    // Accepts until CLIENTS connections have come and gone; answers every Ping on any of them.
    private static int Server(string name, int expected)
    {
        if (expected == 0 || expected > 127) return 2;
        if (!EchoContract.Listener.TryRegister(name, out EchoContract.Listener listener))
        {
            Debug.WriteLine("groupecho: could not register " + name);
            return 1;
        }
        Debug.WriteLine("groupecho: serving " + name);
        var clients = new EndpointGroup<EchoContract.Exp>(127);
        int accepted = 0, finished = 0, pings = 0, most = 0;
        while (finished < expected)
        {
            int ready = clients.Select(accepted < expected ? listener.Incoming : null, 60000);
            if (ready == EndpointGroup<EchoContract.Exp>.ListenerReady)
            {
                listener.Accept(out EchoContract.Exp client, 0);
                if (client == null) continue;
                accepted++;
                if (!clients.Add(client)) { Debug.WriteLine("groupecho: FAILED the group refused a client"); break; }
                if (clients.Count > most) most = clients.Count;
                continue;
            }
            if (ready < 0) { Debug.WriteLine("groupecho: FAILED nothing happened for a minute"); break; }
            EchoContract.Exp c = clients.Take(ready);
            switch (c.Receive(out EchoContract.Exp.Message m, 0))
            {
                case EchoContract.Exp.Tag.Ping:
                    m.TakePing(out int seq, out ExBuffer payload);
                    pings++;
                    c.SendPong(seq, payload);
                    clients.Add(c);
                    break;
                case EchoContract.Exp.Tag.Bye:
                    m.TakeBye();
                    c.Close();
                    finished++;
                    break;
                case EchoContract.Exp.Tag.TimedOut:
                    clients.Add(c);
                    break;
                default:
                    Debug.WriteLine("groupecho: FAILED a client went away without Bye");
                    c.Close();
                    finished++;
                    break;
            }
        }
        listener.Close();
        Debug.WriteLine("groupecho: served " + finished.ToString() + " clients, " + pings.ToString() + " pings, "
            + most.ToString() + " connected at once");
        return finished == expected && most == expected ? 0 : 1;
    }

    // Opens the connections, then in each round sends a Ping on every one and collects the Pongs
    // in whatever order they come, checking each payload came back intact.
    private static int Client(string name, int connections, int rounds, int id)
    {
        if (connections == 0 || connections > 127 || rounds == 0 || id == 0) return 2;
        // Two groups: idle connections (a Ping may be sent) and waiting ones (a Pong is due).
        var idle = new EndpointGroup<EchoContract.Imp>(127);
        var waiting = new EndpointGroup<EchoContract.Imp>(127);
        for (int i = 0; i < connections; i++)
        {
            EchoContract.Bind(name, out EchoContract.Imp echo, 20000);
            if (echo == null) { Debug.WriteLine("groupecho: client " + id.ToString() + " FAILED to bind"); return 1; }
            idle.Add(echo);
        }
        // Every connection is open before any is used, so the server holds all clients' at once.
        Singularity.Threading.Thread.Sleep(2000);
        int good = 0;
        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; idle.Count > 0; i++)
            {
                int seq = (id * 100 + i) * 100 + r;
                ExBuffer stamp = Stamp(seq);
                EchoContract.Imp e = idle.Take(0);
                e.SendPing(seq, stamp);
                waiting.Add(e);
            }
            while (waiting.Count > 0)
            {
                int ready = waiting.Select(null, 20000);
                if (ready < 0) { Debug.WriteLine("groupecho: client " + id.ToString() + " FAILED waiting for a pong"); return 1; }
                EchoContract.Imp e = waiting.Take(ready);
                switch (e.Receive(out EchoContract.Imp.Message reply, 0))
                {
                    case EchoContract.Imp.Tag.Pong:
                        reply.TakePong(out int seq, out ExBuffer payload);
                        bool intact = seq / 10000 == id && seq % 100 == r && payload.Length == PayloadBytes;
                        for (int k = 0; intact && k < PayloadBytes; k++) intact = payload[k] == (byte)(seq >> (8 * (k % 4)));
                        if (intact) good++;
                        payload.Free();
                        break;
                    case EchoContract.Imp.Tag.Busy:
                        reply.TakeBusy(out int busySeq, out ExBuffer busy);
                        busy.Free();
                        break;
                    default:
                        reply.Discard();    // the service went away: this connection is done
                        e.Close();
                        continue;
                }
                idle.Add(e);
            }
        }
        // Reported before the Byes: the service ends after the last Bye, so every report precedes its exit.
        Debug.WriteLine("groupecho: client " + id.ToString() + " got " + good.ToString() + " of " + (connections * rounds).ToString() + " pongs intact");
        while (idle.Count > 0)
        {
            EchoContract.Imp e = idle.Take(0);
            e.SendBye();
            e.Close();
        }
        return good == connections * rounds ? 0 : 1;
    }

    private static ExBuffer Stamp(int seq)
    {
        ExBuffer b = ExBuffer.Allocate(PayloadBytes);
        for (int k = 0; k < PayloadBytes; k++) b[k] = (byte)(seq >> (8 * (k % 4)));
        return b;
    }
}
