using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0002_UsingEndpoint
{
    public static void F()
    {
        EchoContract.NewChannel(out EchoContract.Imp imp, out EchoContract.Exp exp);
        using (imp)
        {
            exp.Close();
        }
    }
}
