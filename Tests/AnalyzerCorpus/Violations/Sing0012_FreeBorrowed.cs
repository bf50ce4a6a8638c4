using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0012_FreeBorrowed
{
    public static void F(ExBuffer b)
    {
        b.Free(); //! SING0012
    }
}
