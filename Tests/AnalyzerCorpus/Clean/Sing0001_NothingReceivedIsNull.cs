using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0001_NothingReceivedIsNull
{
    public static void F([Claims, State("Start")] EchoContract.Imp ep)
    {
        ep.SendPing(1, ExBuffer.Allocate(8));
        if (ep.RecvPong(out int seq, out ExBuffer payload) == ReceiveResult.Message) payload.Free();
        ep.Close();
    }
}
