using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0003_ChannelEndDropped
{
    public static void F()
    {
        EchoContract.NewChannel(out EchoContract.Imp imp, out EchoContract.Exp exp);
        imp.Close();
    } //! SING0003
}
