using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0003_DiscardedReceive
{
    public static void F([State("Start")] EchoContract.Exp ep)
    {
        ep.Receive(out _); //! SING0003
    }
}
