using System;

namespace Singularity.Channels
{
    /// <summary>
    /// A byte buffer that moves between threads by ownership. Using it after it was sent,
    /// freed or taken elsewhere throws ObjectDisposedException.
    /// </summary>
    [Tracked]
    public readonly struct ExBuffer
    {
        private const string What = "ExBuffer";
        internal readonly ExchangeBlock? Block;
        internal readonly int Generation;

        internal ExBuffer(ExchangeBlock block, int generation) { Block = block; Generation = generation; }

        public static ExBuffer Allocate(int length)
        {
            if (length <= 0) throw new ArgumentOutOfRangeException(nameof(length));
            var block = new ExchangeBlock(new byte[length]);
            return new ExBuffer(block, block.Generation);
        }

        public bool IsNull => Block == null;

        public int Length => Bytes.Length;

        public byte this[int index]
        {
            get => Bytes[index];
            set => Bytes[index] = value;
        }

        public void CopyFrom(byte[] source, int offset) => Array.Copy(source, 0, Bytes, offset, source.Length);

        public void CopyTo(byte[] destination, int offset) => Array.Copy(Bytes, offset, destination, 0, destination.Length);

        public long ReadInt64(int offset) => BitConverter.ToInt64(Bytes, offset);

        public void WriteInt64(int offset, long value)
        {
            byte[] b = Bytes;
            if (offset < 0 || offset + 8 > b.Length) throw new IndexOutOfRangeException();
            BitConverter.TryWriteBytes(b.AsSpan(offset, 8), value);
        }

        [Claims]
        public void Free()
        {
            if (Block == null) throw new InvalidOperationException("free of a null ExBuffer");
            Block.Free(Generation, What);
        }

        private byte[] Bytes
        {
            get
            {
                if (Block == null) throw new InvalidOperationException("use of a null ExBuffer");
                Block.Check(Generation, What);
                return (byte[])Block.Data;
            }
        }
    }
}
