using System.Runtime.CompilerServices;

namespace System
{
    public static unsafe class Buffer
    {
        // No generational GC yet, so a reference-carrying move needs no barrier.
        internal static void BulkMoveWithWriteBarrier(ref byte destination, ref byte source, nuint byteCount)
            => SpanHelpers.Memmove(ref destination, ref source, byteCount);

        public static void MemoryCopy(void* source, void* destination, long destinationSizeInBytes, long sourceBytesToCopy)
        {
            if (sourceBytesToCopy > destinationSizeInBytes) throw new ArgumentOutOfRangeException("sourceBytesToCopy");
            SpanHelpers.Memmove(ref *(byte*)destination, ref *(byte*)source, (nuint)sourceBytesToCopy);
        }
    }

    internal static unsafe class SpanHelpers
    {
        public static void Memmove(ref byte destination, ref byte source, nuint len)
        {
            byte* d = (byte*)Unsafe.AsPointer(ref destination);
            byte* s = (byte*)Unsafe.AsPointer(ref source);
            if (d == s || len == 0) return;
            if (d < s || d >= s + len)
            {
                nuint i = 0;
                for (; i + 8 <= len; i += 8) *(ulong*)(d + i) = *(ulong*)(s + i);
                for (; i < len; i++) d[i] = s[i];
            }
            else
            {
                // Overlapping with the destination above the source: copy backwards.
                for (nuint i = len; i > 0; i--) d[i - 1] = s[i - 1];
            }
        }

        public static void ClearWithoutReferences(ref byte b, nuint byteLength)
        {
            byte* p = (byte*)Unsafe.AsPointer(ref b);
            nuint i = 0;
            for (; i + 8 <= byteLength; i += 8) *(ulong*)(p + i) = 0;
            for (; i < byteLength; i++) p[i] = 0;
        }

        public static void Fill(ref byte b, nuint byteLength, byte value)
        {
            byte* p = (byte*)Unsafe.AsPointer(ref b);
            for (nuint i = 0; i < byteLength; i++) p[i] = value;
        }
    }
}
