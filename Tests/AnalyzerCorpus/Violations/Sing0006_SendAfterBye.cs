using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0006_SendAfterBye
{
    public static void F([Claims, State("Start")] EchoContract.Imp ep)
    {
        ep.SendBye();
        ep.SendPing(1, ExBuffer.Allocate(8)); //! SING0006
        ep.Close();
    }
}
