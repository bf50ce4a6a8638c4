using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0005_CapturedByLambda
{
    public static System.Func<int> F()
    {
        var b = ExBuffer.Allocate(8);
        System.Func<int> f = () => b.Length; //! SING0005
        b.Free();
        return f;
    }
}
