using Singularity.Channels;
using Singularity.Contracts;

/// <summary>The service's logic: one client's conversation, apart from Main so that a hosted test can run it.</summary>
public static class __NAME__Service
{
    /// <summary>Answers each Ping with a Pong carrying the same buffer until the client says Bye or closes; returns the pings served.</summary>
    public static int Serve([Claims, State("Start")] EchoContract.Exp client)
    {
        int pings = 0;
        while (true)
        {
            switch (client.Receive(out EchoContract.Exp.Message m))
            {
                case EchoContract.Exp.Tag.Ping:
                    m.TakePing(out int seq, out ExBuffer payload);
                    pings++;
                    client.SendPong(seq, payload);
                    break;
                case EchoContract.Exp.Tag.Bye:
                    m.TakeBye();
                    client.Close();
                    return pings;
                default:
                    client.Close();
                    return pings;
            }
        }
    }
}
