using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0004_EndpointInArray
{
    public static void F([Claims, State("Start")] EchoContract.Imp ep)
    {
        var all = new EchoContract.Imp[1]; //! SING0004
        all[0] = ep; //! SING0004
    }
}
