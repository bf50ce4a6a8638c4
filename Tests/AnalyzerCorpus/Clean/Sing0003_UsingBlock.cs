using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0003_UsingBlock
{
    public static int F()
    {
        using (var b = ExBuffer.Allocate(8))
        {
            b[0] = 7;
            return b[0];
        }
    }
}
