using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0012_FreeThroughRef
{
    public static void F(ref ExBuffer b)
    {
        b.Free(); //! SING0012
    }
}
