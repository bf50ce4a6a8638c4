using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

[assembly: Exports(typeof(EchoContract.Exp), "/service/echo-typed")]

// Serves EchoContract clients one after another, on the listener the kernel wired from the
// manifest, and says how each client's channel ended.
public static class Program
{
    public static int Main()
    {
        if (!ServiceListener.TryOpen("/service/echo-typed", out ServiceListener listener))
        {
            Debug.WriteLine("echoservice: FAILED no start-up listener for /service/echo-typed");
            return 1;
        }
        Debug.WriteLine("echoservice: listening on /service/echo-typed");
        while (listener.Accept(out EndpointHandle connection) == ReceiveResult.Message)
            Serve(EchoContract.Exp.FromHandle(connection, null));
        listener.Close();
        return 0;
    }

    private static void Serve([Claims, State("Start")] EchoContract.Exp client)
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
                    Debug.WriteLine("echoservice: client said Bye after " + pings.ToString() + " pings");
                    client.Close();
                    return;
                default:
                    Debug.WriteLine("echoservice: client channel closed (ChannelClosed) after " + pings.ToString() + " pings");
                    client.Close();
                    return;
            }
        }
    }
}
