using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0002_FreedOnEachBranchOnce
{
    public static void F(bool early)
    {
        var b = ExBuffer.Allocate(8);
        if (early) { b.Free(); return; }
        b[0] = 1;
        b.Free();
    }
}
