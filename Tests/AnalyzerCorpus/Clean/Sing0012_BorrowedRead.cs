using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0012_BorrowedRead
{
    public static int F(ExBuffer b, ref ExBuffer r) => b.Length + r.Length;
}
