using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0004_EndpointGroup
{
    public static int F()
    {
        var group = new EndpointGroup<EchoContract.Imp>(4);
        EchoContract.NewChannel(out EchoContract.Imp imp, out EchoContract.Exp exp);
        group.Add(imp);
        exp.Close();
        EchoContract.Imp back = group.Take(0);
        back.Close();
        return group.Count;
    }
}
