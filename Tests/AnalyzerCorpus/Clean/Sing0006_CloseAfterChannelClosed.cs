using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0006_CloseAfterChannelClosed
{
    public static void F([Claims, State("Start")] EchoContract.Imp ep)
    {
        ep.SendPing(1, ExBuffer.Allocate(8));
        if (ep.RecvPong(out int seq, out ExBuffer payload) != ReceiveResult.Message)
        {
            if (!payload.IsNull) payload.Free();
            ep.Close();
            return;
        }
        payload.Free();
        ep.Close();
    }
}
