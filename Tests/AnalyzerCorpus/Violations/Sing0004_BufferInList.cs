using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0004_BufferInList
{
    public static int F()
    {
        var list = new System.Collections.Generic.List<ExBuffer>(); //! SING0004
        return list.Count;
    }
}
