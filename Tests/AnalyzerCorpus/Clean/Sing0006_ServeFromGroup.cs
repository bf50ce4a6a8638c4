using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0006_ServeFromGroup
{
    public static void F(EndpointGroup<EchoContract.Exp> group)
    {
        if (group.Count == 0) return;
        EchoContract.Exp c = group.Take(0);
        switch (c.Receive(out EchoContract.Exp.Message m, 0))
        {
            case EchoContract.Exp.Tag.Ping:
                m.TakePing(out int seq, out ExBuffer payload);
                c.SendPong(seq, payload);
                group.Add(c);
                break;
            case EchoContract.Exp.Tag.TimedOut:
                group.Add(c);
                break;
            default:
                c.Close();
                break;
        }
    }
}
