using System.Runtime.CompilerServices;

namespace System
{
    public static unsafe class Buffer
    {
        // No generational GC yet, so a reference-carrying move needs no barrier.
        internal static void BulkMoveWithWriteBarrier(ref byte destination, ref byte source, nuint byteCount)
            => SpanHelpers.Memmove(ref destination, ref source, byteCount);

        /// <unsafe>Refused to SIP code (pointer signature, and System.Buffer is trusted-only, SV0110); no
        /// trusted caller. Refuses a negative count or one larger than the destination; the caller
        /// vouches for both buffers.</unsafe>
        public static void MemoryCopy(void* source, void* destination, long destinationSizeInBytes, long sourceBytesToCopy)
        {
            if (sourceBytesToCopy < 0 || sourceBytesToCopy > destinationSizeInBytes) throw new ArgumentOutOfRangeException("sourceBytesToCopy");
            SpanHelpers.Memmove(ref *(byte*)destination, ref *(byte*)source, (nuint)sourceBytesToCopy);
        }
    }

    /// <unsafe>Memory moves and fills for ilc's generated code (struct copies, initobj of large structs,
    /// whose sizes are compile-time constants of the types; cpblk and initblk are refused in SIP
    /// code, SV0102) and for the core library and runtime (String.CopyRange and ExBlock.CopyFrom/CopyTo,
    /// which check their ranges first). The references are turned into addresses only for the
    /// length of the call; the collector never moves objects. corlib_memmove/corlib_zero (asm/runtime.asm)
    /// use rep movs/stos over exactly the given length, backwards when the ranges overlap upwards.</unsafe>
    internal static unsafe class SpanHelpers
    {
        // String instructions (Corlib/asm/runtime.asm): under QEMU's -icount a `rep movsq` counts
        // once per 8 bytes, and on hardware it is the fast path for small and large copies alike.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.InternalCall)]
        [System.Runtime.RuntimeImport("*", "corlib_memmove")]
        private static extern void MemmoveNative(byte* destination, byte* source, nuint len);

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.InternalCall)]
        [System.Runtime.RuntimeImport("*", "corlib_zero")]
        private static extern void ZeroNative(byte* destination, nuint len);

        public static void Memmove(ref byte destination, ref byte source, nuint len)
        {
            if (len != 0) MemmoveNative((byte*)Unsafe.AsPointer(ref destination), (byte*)Unsafe.AsPointer(ref source), len);
        }

        public static void ClearWithoutReferences(ref byte b, nuint byteLength)
        {
            if (byteLength != 0) ZeroNative((byte*)Unsafe.AsPointer(ref b), byteLength);
        }

        public static void Fill(ref byte b, nuint byteLength, byte value)
        {
            byte* p = (byte*)Unsafe.AsPointer(ref b);
            for (nuint i = 0; i < byteLength; i++) p[i] = value;
        }
    }
}
