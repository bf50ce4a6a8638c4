// Shared: compiled into the SIP runtime and into the hosted runtime (Tests/Singularity.Channels.Hosted).
#nullable disable
using Singularity.Ipc;

namespace Singularity.Channels
{
    /// <summary>
    /// A byte buffer in the exchange heap, owned by exactly one place at a time. Sending it in
    /// a message gives it away; the kernel refuses access from a SIP that no longer owns it.
    /// </summary>
    /// <safety>Opaque: an internal ExBlock; <c>default</c> is the null buffer. Every member forwards to
    /// ExBlock, whose checks (kernel ownership, bounds, the exchange guard) apply unchanged.</safety>
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
