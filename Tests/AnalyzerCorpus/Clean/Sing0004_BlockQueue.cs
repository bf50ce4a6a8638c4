using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0004_BlockQueue
{
    public static int F()
    {
        var q = new BlockQueue(4);
        q.Enqueue(ExBuffer.Allocate(8));
        q.Enqueue(ExBuffer.Allocate(16));
        int total = 0;
        while (true)
        {
            ExBuffer b = q.Dequeue();
            if (b.IsNull) break;
            total += b.Length;
            b.Free();
        }
        return total;
    }
}
