using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0001_UseAfterFreeInLoop
{
    public static int F(int count)
    {
        var b = ExBuffer.Allocate(8);
        int sum = 0;
        for (int i = 0; i < count; i++)
        {
            if (i == 3) b.Free();
            sum += b[0]; //! SING0001
        }
        if (count <= 3) b.Free();
        return sum;
    }
}
