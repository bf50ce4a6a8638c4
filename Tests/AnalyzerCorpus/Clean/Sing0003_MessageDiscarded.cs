using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0003_MessageDiscarded
{
    public static void F([State("Start")] EchoContract.Exp ep)
    {
        if (ep.Receive(out EchoContract.Exp.Message m) == EchoContract.Exp.Tag.ChannelClosed) return;
        m.Discard();
    }
}
