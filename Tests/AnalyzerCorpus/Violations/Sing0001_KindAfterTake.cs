using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0001_KindAfterTake
{
    public static int F([State("Start")] EchoContract.Exp ep)
    {
        int k = 0;
        if (ep.Receive(out EchoContract.Exp.Message m) == EchoContract.Exp.Tag.Bye)
        {
            m.TakeBye();
            k = (int)m.Kind; //! SING0001
        }
        else m.Discard();
        return k;
    }
}
