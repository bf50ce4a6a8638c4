using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0009_MutableStatic
{
    private static int s_count; //! SING0009 s_count

    public static int F() => s_count;
}
