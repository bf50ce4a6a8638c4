using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0013_BorrowedHelperWithoutState
{
    public static void F(EchoContract.Imp ep) //! SING0013 ep
    {
        ep.SendPing(1, ExBuffer.Allocate(8));
    }
}
