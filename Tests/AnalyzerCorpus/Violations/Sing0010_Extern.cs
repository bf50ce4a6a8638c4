using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0010_Extern
{
    private static extern int Poke(int address); //! SING0010 Poke

    public static int F() => Poke(0);
}
