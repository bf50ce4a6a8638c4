using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0013_HelperWithoutState
{
    public static void F([Claims] EchoContract.Exp ep) //! SING0013 ep
    {
        ep.SendBusy(1, ExBuffer.Allocate(8));
        ep.Close();
    }
}
