using Singularity;
using Singularity.Channels;
using Singularity.Contracts;
using Singularity.Threading;

// A client that starts before its service: its waiting bind succeeds once the service registers
// the name, later. Reports go to the kernel log (Debug), which needs no service.
public static class Program
{
    public static int Main()
    {
        string[] args = Singularity.Text.Words.Split(Sip.Arguments);
        if (args.Length != 2) { Debug.WriteLine("latebinder: usage: client|service NAME"); return 2; }
        return args[0] == "client" ? Client(args[1]) : args[0] == "service" ? Service(args[1]) : 2;
    }

    private static int Client(string name)
    {
        Debug.WriteLine("latebinder: client binding " + name);
        EchoContract.Bind(name, out EchoContract.Imp echo, 20000);
        if (echo == null)
        {
            Debug.WriteLine("latebinder: client gave up on " + name);
            return 1;
        }
        Debug.WriteLine("latebinder: client bound " + name);
        echo.SendPing(7, ExBuffer.Allocate(8));
        int code = 1;
        switch (echo.Receive(out EchoContract.Imp.Message reply, 20000))
        {
            case EchoContract.Imp.Tag.Pong:
                reply.TakePong(out int seq, out ExBuffer pong);
                pong.Free();
                Debug.WriteLine("latebinder: client got pong " + seq.ToString());
                code = 0;
                break;
            case EchoContract.Imp.Tag.Busy:
                reply.TakeBusy(out int busySeq, out ExBuffer busy);
                busy.Free();
                break;
            default:
                Debug.WriteLine("latebinder: client saw the channel close or time out");
                break;
        }
        echo.Close();
        return code;
    }

    private static int Service(string name)
    {
        Thread.Sleep(1000);
        if (!EchoContract.Listener.TryRegister(name, out EchoContract.Listener listener))
        {
            Debug.WriteLine("latebinder: service could not register " + name);
            return 1;
        }
        Debug.WriteLine("latebinder: service registered " + name);
        listener.Accept(out EchoContract.Exp client, 20000);
        if (client == null) { listener.Close(); return 1; }
        int code = 1;
        switch (client.Receive(out EchoContract.Exp.Message m, 20000))
        {
            case EchoContract.Exp.Tag.Ping:
                m.TakePing(out int seq, out ExBuffer payload);
                client.SendPong(seq, payload);
                code = 0;
                break;
            case EchoContract.Exp.Tag.Bye:
                m.TakeBye();
                break;
            default:
                break;
        }
        client.Close();
        listener.Close();
        return code;
    }
}
