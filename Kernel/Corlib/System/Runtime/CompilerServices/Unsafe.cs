namespace System.Runtime.CompilerServices
{
    /// <summary>ilc supplies the bodies of these intrinsics. Kernel and trusted runtime only.</summary>
    /// <unsafe>The intrinsics themselves (bodies from ilc). Internal: only the kernel and the trusted
    /// runtime call them, and each call is reviewed where it is made.</unsafe>
    internal static unsafe class Unsafe
    {
        [Intrinsic] public static extern T As<T>(object o) where T : class;
        [Intrinsic] public static extern ref TTo As<TFrom, TTo>(ref TFrom source);
        [Intrinsic] public static extern ref T Add<T>(ref T source, int elementOffset);
        [Intrinsic] public static extern ref T Add<T>(ref T source, nint elementOffset);
        [Intrinsic] public static extern ref T AddByteOffset<T>(ref T source, nint byteOffset);
        [Intrinsic] public static extern void* AsPointer<T>(ref T value);
        [Intrinsic] public static extern ref T AsRef<T>(void* source);
        [Intrinsic] public static extern ref T AsRef<T>(scoped ref readonly T source);
        [Intrinsic] public static extern int SizeOf<T>();
        [Intrinsic] public static extern bool AreSame<T>(ref T left, ref T right);
        [Intrinsic] public static extern nint ByteOffset<T>(ref T origin, ref T target);
        [Intrinsic] public static extern T Read<T>(void* source);
        [Intrinsic] public static extern void Write<T>(void* destination, T value);
        [Intrinsic] public static extern ref T NullRef<T>();
        [Intrinsic] public static extern bool IsNullRef<T>(ref T source);
        [Intrinsic] public static extern void SkipInit<T>(out T value);
    }
}
