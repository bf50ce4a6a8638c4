using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

// A throw inside a try whose finally (or using) releases the block: the block is released on the
// way out, so nothing leaks. The verifier refused these before it let a throw's owned values go
// into the finally handlers that name them.
public static class Sing0003_ThrowInsideFinallyTry
{
    public static int F(int n)
    {
        using (var b = ExBuffer.Allocate(8))
        {
            if (n < 0) throw new System.ArgumentOutOfRangeException("n");
            return b.Length + n;
        }
    }

    public static void G(int n)
    {
        var b = ExBuffer.Allocate(8);
        try
        {
            if (n > 100) throw new System.InvalidOperationException("too long");
            Work(b.Length + n);
        }
        finally { b.Free(); }
    }

    private static void Work(int n) { if (n == 7) throw new System.InvalidOperationException("seven"); }
}
