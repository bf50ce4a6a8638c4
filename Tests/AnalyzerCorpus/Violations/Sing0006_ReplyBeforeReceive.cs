using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0006_ReplyBeforeReceive
{
    public static void F([Claims, State("Start")] EchoContract.Exp ep)
    {
        ep.SendBusy(1, ExBuffer.Allocate(8)); //! SING0006
        ep.Close();
    }
}
