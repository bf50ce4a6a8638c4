using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0003_LeakInLoopBreak
{
    public static void F(int n)
    {
        for (int i = 0; i < n; i++)
        {
            var b = ExBuffer.Allocate(8);
            if (i == 2) break; //! SING0003
            b.Free();
        }
    }
}
