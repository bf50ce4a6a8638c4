using System;

namespace Singularity.Channels
{
    /// <summary>An array of unmanaged values that moves by ownership, like ExBuffer.</summary>
    [Tracked]
    public readonly struct ExArray<T> where T : unmanaged
    {
        private const string What = "ExArray";
        internal readonly ExchangeBlock? Block;
        internal readonly int Generation;

        internal ExArray(ExchangeBlock block, int generation) { Block = block; Generation = generation; }

        public static ExArray<T> Allocate(int count)
        {
            if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count));
            var block = new ExchangeBlock(new T[count]);
            return new ExArray<T>(block, block.Generation);
        }

        public bool IsNull => Block == null;

        public int Length => Items.Length;

        public T this[int index]
        {
            get => Items[index];
            set => Items[index] = value;
        }

        [Claims]
        public void Free()
        {
            if (Block == null) throw new InvalidOperationException("free of a null ExArray");
            Block.Free(Generation, What);
        }

        private T[] Items
        {
            get
            {
                if (Block == null) throw new InvalidOperationException("use of a null ExArray");
                Block.Check(Generation, What);
                return (T[])Block.Data;
            }
        }
    }
}
