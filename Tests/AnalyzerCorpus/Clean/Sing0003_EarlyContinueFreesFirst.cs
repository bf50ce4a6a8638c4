using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0003_EarlyContinueFreesFirst
{
    public static int F(int n)
    {
        int kept = 0;
        for (int i = 0; i < n; i++)
        {
            var b = ExBuffer.Allocate(8);
            if (i % 2 == 0) { b.Free(); continue; }
            kept += b.Length;
            b.Free();
        }
        return kept;
    }
}
