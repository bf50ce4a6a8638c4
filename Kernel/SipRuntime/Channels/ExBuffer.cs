using Singularity.Ipc;

namespace Singularity.Channels
{
    /// <summary>
    /// A byte buffer in the exchange heap, owned by exactly one place at a time. Sending it in
    /// a message gives it away; the kernel refuses access from a SIP that no longer owns it.
    /// </summary>
    [Tracked]
    public readonly struct ExBuffer
    {
        internal readonly ExBlock Block;

        internal ExBuffer(ExBlock block) { Block = block; }

        /// <summary>A zeroed buffer of <paramref name="length"/> bytes.</summary>
        public static ExBuffer Allocate(int length) => new ExBuffer(ExBlock.Allocate(length));

        public bool IsNull => Block.IsNull;

        public int Length => Block.Length;

        public byte this[int index]
        {
            get => Block[index];
            set { ExBlock b = Block; b[index] = value; }
        }

        public void CopyFrom(byte[] source, int offset) => Block.CopyFrom(source, offset);

        public void CopyTo(byte[] destination, int offset) => Block.CopyTo(destination, offset);

        public long ReadInt64(int offset) => Block.ReadInt64(offset);

        public void WriteInt64(int offset, long value) => Block.WriteInt64(offset, value);

        /// <summary>Ends ownership: the block returns to the exchange heap.</summary>
        [Claims]
        public void Free() => Block.Free();
    }
}
