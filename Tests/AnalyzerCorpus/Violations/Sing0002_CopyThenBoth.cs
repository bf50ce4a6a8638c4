using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0002_CopyThenBoth
{
    public static void F()
    {
        var b = ExBuffer.Allocate(8);
        var copy = b;
        copy.Free();
        b.Free(); //! SING0002
    }
}
