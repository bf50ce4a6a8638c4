using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0003_ReturnedToCaller
{
    public static ExBuffer F(int n)
    {
        var b = ExBuffer.Allocate(n < 1 ? 1 : n);
        b[0] = 1;
        return b;
    }
}
