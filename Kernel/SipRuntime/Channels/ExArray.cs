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
            return new ExArray<T>(ExBlock.Allocate(count * Unsafe.SizeOf<T>()));
        }

        public bool IsNull => Block.IsNull;

        public int Length => Block.Length / Unsafe.SizeOf<T>();

        public T this[int index]
        {
            get => Unsafe.Read<T>(Element(index));
            set => Unsafe.Write<T>(Element(index), value);
        }

        // One kernel call checks ownership and gives the address; the bounds check is ours.
        private byte* Element(int index)
        {
            byte* p = Block.Address(out ulong length);
            ulong size = (ulong)Unsafe.SizeOf<T>();
            if (index < 0 || ((ulong)index + 1) * size > length) throw new IndexOutOfRangeException();
            return p + (ulong)index * size;
        }

        [Claims]
        public void Free() => Block.Free();
    }
}
