using Singularity.Channels;

namespace Singularity.Tests.Generator;

/// <summary>
/// BlockQueue (issue 16): a tracked collection of owned exchange buffers that SIP code may keep
/// (a SIP may not keep buffers in arrays or collections of its own). Runs on the hosted runtime,
/// which compiles the same source as the SIP runtime.
/// </summary>
public class BlockQueueTests
{
    private static ExBuffer Tagged(int tag)
    {
        var b = ExBuffer.Allocate(8);
        b.WriteInt64(0, tag);
        return b;
    }

    [Fact]
    public void BuffersComeOutInTheOrderTheyWentIn()
    {
        var q = new BlockQueue(4);
        for (int round = 0; round < 3; round++)          // the ring wraps around
        {
            for (int i = 0; i < 3; i++) Assert.True(q.Enqueue(Tagged(round * 10 + i)));
            Assert.Equal(3, q.Count);
            for (int i = 0; i < 3; i++)
            {
                ExBuffer b = q.Dequeue();
                Assert.False(b.IsNull);
                Assert.Equal(round * 10 + i, b.ReadInt64(0));
                b.Free();
            }
        }
        Assert.True(q.Dequeue().IsNull);
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public void AFullQueueFreesWhatItRefuses()
    {
        var q = new BlockQueue(2);
        Assert.True(q.Enqueue(Tagged(1)));
        Assert.True(q.Enqueue(Tagged(2)));
        ExBuffer refused = Tagged(3);
        Assert.False(q.Enqueue(refused));
        // Refused means freed: the caller no longer owns it.
        Assert.Throws<InvalidOperationException>(() => refused.Free());
        q.Clear();
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public void ClearFreesEveryQueuedBuffer()
    {
        var q = new BlockQueue(8);
        ExBuffer kept = Tagged(7);
        ExBuffer copy = kept;                 // the same block, to see it freed
        q.Enqueue(kept);
        q.Clear();
        Assert.Throws<InvalidOperationException>(() => copy.Free());
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BlockQueue(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BlockQueue(65537));
        Assert.Throws<ArgumentException>(() => new BlockQueue(1).Enqueue(default));
    }

    [Fact]
    public void TwoThreadsNeverDequeueOneBuffer()
    {
        var q = new BlockQueue(1024);
        for (int i = 0; i < 1000; i++) q.Enqueue(Tagged(i));
        var seen = new int[1000];
        void Drain()
        {
            while (true)
            {
                ExBuffer b = q.Dequeue();
                if (b.IsNull) return;
                Interlocked.Increment(ref seen[b.ReadInt64(0)]);
                b.Free();
            }
        }
        var t = new Thread(Drain);
        t.Start();
        Drain();
        t.Join();
        Assert.All(seen, n => Assert.Equal(1, n));
    }
}
