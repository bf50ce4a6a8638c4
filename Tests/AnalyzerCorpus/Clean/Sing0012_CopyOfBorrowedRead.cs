using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0012_CopyOfBorrowedRead
{
    public static int F(ExBuffer b)
    {
        var alias = b;
        return alias.Length;
    }
}
