using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0003_TryFinally
{
    public static void F()
    {
        var b = ExBuffer.Allocate(8);
        try { Work(b.Length); }
        finally { b.Free(); }
    }

    private static void Work(int n) { if (n > 100) throw new System.InvalidOperationException("too long"); }
}
