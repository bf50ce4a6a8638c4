// Shared: compiled into the SIP runtime and into the hosted runtime (Tests/Singularity.Channels.Hosted).
#nullable disable
using Singularity.Ipc;

namespace Singularity.Channels
{
    /// <summary>
    /// A byte buffer in the exchange heap, owned by exactly one place at a time. Sending it in
    /// a message gives it away; the runtime refuses access from a SIP that no longer owns it (the block's header, which the kernel
    /// rewrites on every change of owner, names the owner).
    /// </summary>
    /// <safety>Opaque: an internal ExBlock; <c>default</c> is the null buffer. Every member forwards to
    /// ExBlock, whose checks (ownership in the block header, bounds, the exchange guard) apply unchanged.</safety>
    [Tracked]
    public readonly struct ExBuffer : System.IDisposable
    {
        internal readonly ExBlock Block;

        internal ExBuffer(ExBlock block) { Block = block; }

        /// <summary>A zeroed buffer of <paramref name="length"/> bytes.</summary>
        /// <safety>ExBlock.Allocate: positive length, kernel-bounded size and quota.</safety>
        public static ExBuffer Allocate(int length) => new ExBuffer(ExBlock.Allocate(length));

        /// <safety>ExBlock.IsNull.</safety>
        public bool IsNull => Block.IsNull;

        /// <safety>ExBlock.Length.</safety>
        public int Length => Block.Length;

        /// <safety>ExBlock's indexer: registered access, unsigned bounds check.</safety>
        public byte this[int index]
        {
            get => Block[index];
            set { ExBlock b = Block; b[index] = value; }
        }

        /// <safety>ExBlock.CopyFrom: 64-bit range check, registered access.</safety>
        public void CopyFrom(byte[] source, int offset) => Block.CopyFrom(source, offset);

        /// <safety>ExBlock.CopyTo: 64-bit range check, registered access.</safety>
        public void CopyTo(byte[] destination, int offset) => Block.CopyTo(destination, offset);

        /// <summary>Copies <paramref name="count"/> bytes of <paramref name="source"/> from <paramref name="index"/> into the buffer at <paramref name="offset"/>.</summary>
        /// <safety>ExBlock.CopyFrom: both ranges checked in 64 bits, one move inside an access.</safety>
        public void CopyFrom(byte[] source, int index, int offset, int count) => Block.CopyFrom(source, index, offset, count);

        /// <summary>Copies <paramref name="count"/> bytes of the buffer from <paramref name="offset"/> into <paramref name="destination"/> at <paramref name="index"/>.</summary>
        /// <safety>ExBlock.CopyTo: both ranges checked in 64 bits, one move inside an access.</safety>
        public void CopyTo(int offset, byte[] destination, int index, int count) => Block.CopyTo(offset, destination, index, count);

        /// <summary>Sets <paramref name="count"/> bytes from <paramref name="offset"/> to <paramref name="value"/>.</summary>
        /// <safety>ExBlock.Fill: range checked in 64 bits, inside an access.</safety>
        public void Fill(int offset, int count, byte value) => Block.Fill(offset, count, value);

        /// <summary>Whether <paramref name="count"/> bytes from <paramref name="offset"/> equal <paramref name="other"/>'s from <paramref name="index"/>.</summary>
        /// <safety>ExBlock.ContentEquals: both ranges checked, a read-only compare inside an access.</safety>
        public bool ContentEquals(int offset, byte[] other, int index, int count) => Block.ContentEquals(offset, other, index, count);

        /// <safety>ExBlock.ReadInt64: 64-bit range check, registered access.</safety>
        public long ReadInt64(int offset) => Block.ReadInt64(offset);

        /// <safety>ExBlock.WriteInt64: 64-bit range check, registered access.</safety>
        public void WriteInt64(int offset, long value) => Block.WriteInt64(offset, value);

        /// <summary>Ends ownership: the block returns to the exchange heap.</summary>
        /// <safety>ExBlock.Free: waits out other threads' accesses, then the kernel frees only a block this SIP owns.</safety>
        [Claims]
        public void Free() => Block.Free();

        /// <summary>Free, for <c>using</c>: the analyzer and the verifier count a using's end as the release.</summary>
        /// <safety>Free.</safety>
        [Claims]
        public void Dispose() => Block.Free();
    }
}
