using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0009_ReadonlyStatic
{
    private static readonly string s_name = "corpus";

    public static string F() => s_name;
}
