using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0001_UseAfterFreeInLoop
{
    public static int F(int count)
    {
        int sum = 0;
        for (int i = 0; i < count; i++)
        {
            var b = ExBuffer.Allocate(8);
            b.Free();
            sum += b[0]; //! SING0001
        }
        return sum;
    }
}
