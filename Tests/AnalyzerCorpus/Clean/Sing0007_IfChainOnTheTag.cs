using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0007_IfChainOnTheTag
{
    public static void F([State("Start")] EchoContract.Exp ep)
    {
        var tag = ep.Receive(out EchoContract.Exp.Message m);
        if (tag == EchoContract.Exp.Tag.Ping)
        {
            m.TakePing(out int seq, out ExBuffer payload);
            ep.SendPong(seq, payload);
        }
    }
}
