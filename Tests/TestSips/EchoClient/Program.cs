using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

[assembly: Imports(typeof(EchoContract.Imp), "/service/echo-typed")]

// `ping N`: N round trips with the service over the channel the kernel bound at start-up.
// `violate`: sends a second Ping before the first Pong, which the protocol forbids: the
// runtime's check must fail this SIP, and the service must see the channel close.
public static class Program
{
    public static int Main()
    {
        if (!EndpointHandle.TryTakeStartup("/service/echo-typed", out EndpointHandle handle))
        {
            Debug.WriteLine("echoclient: FAILED /service/echo-typed was not bound at start-up");
            return 1;
        }
        string mode = Sip.Arguments;
        int rounds = mode.StartsWith("ping ") ? Parse(mode.Substring(5)) : 10;
        EchoContract.Imp server = EchoContract.Imp.FromHandle(handle, null);
        if (mode == "violate") return Violate(server);
        return Ping(server, rounds);
    }

    private static int Ping([Claims, State("Start")] EchoContract.Imp server, int n)
    {
        ExBuffer payload = ExBuffer.Allocate(64);
        for (int seq = 1; seq <= n; seq++)
        {
            server.SendPing(seq, payload);
            switch (server.Receive(out EchoContract.Imp.Message reply))
            {
                case EchoContract.Imp.Tag.Pong:
                    reply.TakePong(out int got, out payload);
                    break;
                case EchoContract.Imp.Tag.Busy:
                    reply.TakeBusy(out got, out payload);
                    seq--;
                    break;
                default:
                    Debug.WriteLine("echoclient: FAILED the service closed the channel at seq " + seq.ToString());
                    server.Close();
                    return 1;
            }
        }
        payload.Free();
        server.SendBye();
        server.Close();
        Debug.WriteLine("echoclient: " + n.ToString() + " round trips over /service/echo-typed (wired at start-up)");
        return 0;
    }

    // Deliberately breaks the protocol: the analyzer would refuse this at build time; the runtime
    // check (defence in depth) must stop it here.
#pragma warning disable SING0006
    private static int Violate([Claims, State("Start")] EchoContract.Imp server)
    {
        server.SendPing(1, ExBuffer.Allocate(8));
        Debug.WriteLine("echoclient: sending a second Ping before the Pong");
        server.SendPing(2, ExBuffer.Allocate(8));
        Debug.WriteLine("echoclient: FAILED the violation went unnoticed");
        server.Close();
        return 1;
    }
#pragma warning restore SING0006

    private static int Parse(string s)
    {
        int v = 0;
        for (int i = 0; i < s.Length && s[i] >= '0' && s[i] <= '9'; i++) v = v * 10 + (s[i] - '0');
        return v > 0 ? v : 10;
    }
}
