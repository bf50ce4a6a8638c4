using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0007_MissingChannelClosed
{
    public static void F([State("Start")] EchoContract.Exp ep)
    {
        switch (ep.Receive(out EchoContract.Exp.Message m)) //! SING0007 switch
        {
            case EchoContract.Exp.Tag.Ping:
                m.TakePing(out int seq, out ExBuffer payload);
                ep.SendPong(seq, payload);
                break;
            case EchoContract.Exp.Tag.Bye:
                break;
        }
    }
}
