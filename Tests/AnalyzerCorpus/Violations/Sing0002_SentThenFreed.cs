using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0002_SentThenFreed
{
    public static void F([State("Start")] EchoContract.Imp ep)
    {
        var b = ExBuffer.Allocate(8);
        ep.SendPing(1, b);
        b.Free(); //! SING0002
    }
}
