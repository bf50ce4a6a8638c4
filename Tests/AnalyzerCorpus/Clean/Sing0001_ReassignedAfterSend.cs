using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0001_ReassignedAfterSend
{
    public static void F([Claims, State("Start")] EchoContract.Imp ep)
    {
        var b = ExBuffer.Allocate(8);
        for (int i = 0; i < 3; i++)
        {
            ep.SendPing(i, b);
            if (ep.RecvPong(out int seq, out b) != ReceiveResult.Message)
            {
                if (!b.IsNull) b.Free();
                ep.Close();
                return;
            }
        }
        b.Free();
        ep.Close();
    }
}
