using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0002_FlagInFinally
{
    public static void F([State("Start")] EchoContract.Imp ep, int seq)
    {
        var b = ExBuffer.Allocate(8);
        bool sent = false;
        try
        {
            b[0] = (byte)Checked(seq);
            ep.SendPing(seq, b);
            sent = true;
        }
        finally
        {
            if (!sent) b.Free();
        }
    }

    private static int Checked(int seq) => seq < 0 ? throw new System.ArgumentOutOfRangeException("seq") : seq;
}
