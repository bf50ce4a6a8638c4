using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0013_HelperWithState
{
    public static void F([Claims, State("Start")] EchoContract.Exp ep)
    {
        while (true)
        {
            switch (ep.Receive(out EchoContract.Exp.Message m))
            {
                case EchoContract.Exp.Tag.Ping:
                    m.TakePing(out int seq, out ExBuffer payload);
                    ep.SendPong(seq, payload);
                    break;
                default:
                    ep.Close();
                    return;
            }
        }
    }
}
