using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0012_ClaimsParameter
{
    public static void F([Claims] ExBuffer b)
    {
        b.Free();
    }
}
