using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0006_CloseMidRequest
{
    public static void F([Claims, State("Start")] EchoContract.Imp ep)
    {
        ep.SendPing(1, ExBuffer.Allocate(8));
        ep.Close(); //! SING0006
    }
}
