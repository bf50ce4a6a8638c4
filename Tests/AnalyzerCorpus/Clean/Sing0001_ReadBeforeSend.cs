using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0001_ReadBeforeSend
{
    public static int F([State("Start")] EchoContract.Imp ep)
    {
        var b = ExBuffer.Allocate(8);
        int n = b.Length;
        ep.SendPing(1, b);
        return n;
    }
}
