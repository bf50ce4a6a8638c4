using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

public static class Sing0011_OverlappingReference
{
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit)]
    private struct Forge
    {
        [System.Runtime.InteropServices.FieldOffset(0)] public object Reference;
        [System.Runtime.InteropServices.FieldOffset(0)] public long Address; //! SING0011 Address
    }

    public static long F() => new Forge().Address;
}
