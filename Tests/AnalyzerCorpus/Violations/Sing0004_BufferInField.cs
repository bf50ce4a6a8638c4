using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0004_BufferInField
{
    private sealed class Holder { public ExBuffer Kept; } //! SING0004

    public static object F()
    {
        var h = new Holder();
        h.Kept = ExBuffer.Allocate(8); //! SING0004
        return h;
    }
}
