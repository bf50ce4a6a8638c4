using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0004_BlockQueueCleared
{
    public static int F()
    {
        var q = new BlockQueue(8);
        for (int i = 0; i < 4; i++) q.Enqueue(ExBuffer.Allocate(8));
        int n = q.Count;
        q.Clear();
        return n;
    }
}
