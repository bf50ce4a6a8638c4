using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0003_LeakOnEarlyReturn
{
    public static int F(int n)
    {
        var b = ExBuffer.Allocate(8);
        if (n < 0) return -1; //! SING0003
        b.Free();
        return n;
    }
}
