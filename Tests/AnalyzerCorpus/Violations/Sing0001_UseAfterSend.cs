using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0001_UseAfterSend
{
    public static int F([State("Start")] EchoContract.Imp ep)
    {
        var b = ExBuffer.Allocate(8);
        ep.SendPing(1, b);
        return b.Length; //! SING0001
    }
}
