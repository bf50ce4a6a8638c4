using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0005_ValueCapturedNotBuffer
{
    public static System.Func<int> F()
    {
        var b = ExBuffer.Allocate(8);
        int n = b.Length;
        b.Free();
        return () => n;
    }
}
