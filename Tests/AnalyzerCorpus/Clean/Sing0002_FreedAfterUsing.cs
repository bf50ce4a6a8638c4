using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0002_FreedAfterUsing
{
    public static int F()
    {
        var b = ExBuffer.Allocate(8);
        int n;
        using (var other = ExBuffer.Allocate(4)) { n = other.Length; }
        n += b.Length;
        b.Free();
        return n;
    }
}
