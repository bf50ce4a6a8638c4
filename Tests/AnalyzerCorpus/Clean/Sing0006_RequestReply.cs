using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0006_RequestReply
{
    public static void F([Claims, State("Start")] EchoContract.Imp ep)
    {
        ep.SendPing(1, ExBuffer.Allocate(8));
        switch (ep.Receive(out EchoContract.Imp.Message reply))
        {
            case EchoContract.Imp.Tag.Pong:
                reply.TakePong(out int seq, out ExBuffer payload);
                payload.Free();
                break;
            case EchoContract.Imp.Tag.Busy:
                reply.TakeBusy(out int busy, out ExBuffer back);
                back.Free();
                break;
            case EchoContract.Imp.Tag.ChannelClosed:
                break;
        }
        ep.Close();
    }
}
