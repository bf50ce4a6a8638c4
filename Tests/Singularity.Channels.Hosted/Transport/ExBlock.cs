using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Singularity.Ipc
{
    /// <summary>
    /// Hosted twin of the kernel transport's ExBlock (Kernel/SipRuntime/Api/Ipc.cs): the same members
    /// and the same refusals (a block this thread's handle no longer owns is InvalidOperationException,
    /// an index or range outside it IndexOutOfRangeException).
    /// </summary>
    internal readonly struct ExBlock
    {
        /// <summary>The kernel's largest block (ExchangeHeap): a larger request is OutOfMemoryException there too.</summary>
        private const int MaxBlockBytes = 64 * 1024 * 1024;

        internal readonly ExchangeBlock? Block;
        internal readonly int Generation;

        internal ExBlock(ExchangeBlock block, int generation) { Block = block; Generation = generation; }

        public bool IsNull => Block == null;

        public static ExBlock Allocate(int length)
        {
            if (length <= 0) throw new ArgumentOutOfRangeException("length");
            if (length > MaxBlockBytes) throw new OutOfMemoryException("exchange heap quota exhausted");
            var block = new ExchangeBlock(length);
            return new ExBlock(block, block.Generation);
        }

        public int Length => Bytes.Length;

        public byte this[int index]
        {
            get { byte[] b = Bytes; if ((uint)index >= (uint)b.Length) throw new IndexOutOfRangeException(); return b[index]; }
            set { byte[] b = Bytes; if ((uint)index >= (uint)b.Length) throw new IndexOutOfRangeException(); b[index] = value; }
        }

        public long ReadInt64(int offset) => MemoryMarshal.Read<long>(Range(offset, 8));

        public void WriteInt64(int offset, long value) => MemoryMarshal.Write(Range(offset, 8), in value);

        public void CopyFrom(byte[] source, int offset)
        {
            if (source == null) throw new ArgumentNullException("source");
            source.AsSpan().CopyTo(Range(offset, source.Length));
        }

        public void CopyTo(byte[] destination, int offset)
        {
            if (destination == null) throw new ArgumentNullException("destination");
            Range(offset, destination.Length).CopyTo(destination);
        }

        public void CopyFrom(byte[] source, int index, int offset, int count)
        {
            if (source == null) throw new ArgumentNullException("source");
            if (index < 0 || count < 0 || (long)index + count > source.Length) throw new ArgumentOutOfRangeException("count");
            source.AsSpan(index, count).CopyTo(Range(offset, count));
        }

        public void CopyTo(int offset, byte[] destination, int index, int count)
        {
            if (destination == null) throw new ArgumentNullException("destination");
            if (index < 0 || count < 0 || (long)index + count > destination.Length) throw new ArgumentOutOfRangeException("count");
            Range(offset, count).CopyTo(destination.AsSpan(index, count));
        }

        public void Fill(int offset, int count, byte value)
        {
            if (count < 0) throw new ArgumentOutOfRangeException("count");
            Range(offset, count).Fill(value);
        }

        public bool ContentEquals(int offset, byte[] other, int index, int count)
        {
            if (other == null) throw new ArgumentNullException("other");
            if (index < 0 || count < 0 || (long)index + count > other.Length) throw new ArgumentOutOfRangeException("count");
            return Range(offset, count).SequenceEqual(other.AsSpan(index, count));
        }

        internal T ReadElement<T>(int index) where T : unmanaged
        {
            int size = Unsafe.SizeOf<T>();
            byte[] b = Bytes;
            if (index < 0 || ((long)index + 1) * size > b.Length) throw new IndexOutOfRangeException();
            return MemoryMarshal.Read<T>(b.AsSpan(index * size, size));
        }

        internal void WriteElement<T>(int index, T value) where T : unmanaged
        {
            int size = Unsafe.SizeOf<T>();
            byte[] b = Bytes;
            if (index < 0 || ((long)index + 1) * size > b.Length) throw new IndexOutOfRangeException();
            MemoryMarshal.Write(b.AsSpan(index * size, size), in value);
        }

        public void Free()
        {
            lock (Hub.Lock)
            {
                if (Block == null || !Block.IsOwnedBy(Generation)) throw new InvalidOperationException("this SIP does not own the exchange block");
                Block.Free();
            }
        }

        private Span<byte> Range(int offset, int count)
        {
            byte[] b = Bytes;
            if (offset < 0 || (long)offset + count > b.Length) throw new IndexOutOfRangeException();
            return b.AsSpan(offset, count);
        }

        private byte[] Bytes
        {
            get
            {
                ExchangeBlock? block = Block;
                if (block == null || !block.IsOwnedBy(Generation)) throw new InvalidOperationException("this SIP does not own the exchange block (it was sent or freed)");
                return block.Data;
            }
        }
    }
}
