using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0003_DroppedPayload
{
    public static void F([State("Start")] EchoContract.Exp ep)
    {
        switch (ep.Receive(out EchoContract.Exp.Message m))
        {
            case EchoContract.Exp.Tag.Ping:
                break; //! SING0003
            case EchoContract.Exp.Tag.Bye:
                m.TakeBye();
                break;
            case EchoContract.Exp.Tag.ChannelClosed:
                break;
        }
    }
}
