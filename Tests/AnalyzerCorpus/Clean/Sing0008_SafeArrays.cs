using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0008_SafeArrays
{
    public static int F(int[] values)
    {
        int sum = 0;
        foreach (int v in values) sum += v;
        return sum;
    }
}
