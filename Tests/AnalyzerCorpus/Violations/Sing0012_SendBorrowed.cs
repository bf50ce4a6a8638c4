using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0012_SendBorrowed
{
    public static void F([State("Start")] EchoContract.Imp ep, ExBuffer payload)
    {
        ep.SendPing(1, payload); //! SING0012
    }
}
