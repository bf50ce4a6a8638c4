using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0002_FreedTwice
{
    public static void F(bool early)
    {
        var b = ExBuffer.Allocate(8);
        if (early) b.Free();
        b.Free(); //! SING0002
    }
}
