using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0008_Unsafe
{
    public static unsafe int F() //! SING0008 unsafe
    {
        return 0;
    }
}
