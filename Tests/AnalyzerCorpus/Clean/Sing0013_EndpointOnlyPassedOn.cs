using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0013_EndpointOnlyPassedOn
{
    private static void Ask([State("Start")] EchoContract.Imp ep) { ep.SendPing(1, ExBuffer.Allocate(8)); }

    public static void F(EchoContract.Imp ep) { Ask(ep); }
}
