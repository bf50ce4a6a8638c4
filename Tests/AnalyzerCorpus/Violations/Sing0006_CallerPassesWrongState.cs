using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0006_CallerPassesWrongState
{
    private static void Ask([State("Start")] EchoContract.Imp ep) { ep.SendPing(1, ExBuffer.Allocate(8)); }

    public static void F([State("Start")] EchoContract.Imp ep)
    {
        ep.SendBye();
        Ask(ep); //! SING0006
    }
}
