using System;
using System.Runtime.CompilerServices;
using Singularity.Ipc;

namespace Singularity.Channels
{
    /// <summary>
    /// An array of unmanaged values in the exchange heap: a block viewed as T[]. Ownership
    /// works as for ExBuffer.
    /// </summary>
    [Tracked]
    public readonly unsafe struct ExArray<T> where T : unmanaged
    {
        internal readonly ExBlock Block;

        internal ExArray(ExBlock block) { Block = block; }

        public static ExArray<T> Allocate(int count)
        {
            if (count <= 0) throw new ArgumentOutOfRangeException("count");
            // Checked: count * size must not wrap to a small block.
            long bytes = (long)count * Unsafe.SizeOf<T>();
            if (bytes > int.MaxValue) throw new OutOfMemoryException("an exchange array of " + count.ToString() + " elements is too large");
            return new ExArray<T>(ExBlock.Allocate((int)bytes));
        }

        public bool IsNull => Block.IsNull;

        public int Length => Block.Length / Unsafe.SizeOf<T>();

        // One kernel call copies an element while this SIP owns the block; the kernel checks the bounds.
        public T this[int index]
        {
            get { T v = default; Block.Read(Offset(index), (byte*)&v, (ulong)Unsafe.SizeOf<T>()); return v; }
            set { Block.Write(Offset(index), (byte*)&value, (ulong)Unsafe.SizeOf<T>()); }
        }

        private static ulong Offset(int index)
        {
            if (index < 0) throw new IndexOutOfRangeException();
            return (ulong)index * (ulong)Unsafe.SizeOf<T>();
        }

        [Claims]
        public void Free() => Block.Free();
    }
}
