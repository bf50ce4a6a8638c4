// Shared: compiled into the SIP runtime and into the hosted runtime (Tests/Singularity.Channels.Hosted).
#nullable disable
using System;
using System.Runtime.CompilerServices;
using Singularity.Ipc;

namespace Singularity.Channels
{
    /// <summary>
    /// A message being built or taken apart by generated code: the tag, plain data packed
    /// sequentially into the message's 64 data bytes, and up to four tracked handles in order.
    /// </summary>
    /// <safety>Its state is internal or private; <c>default</c> is an empty frame. A SIP can copy a
    /// frame, keep it in a heap object and race two threads on it, and (with a verifier bug, or
    /// layout tricks the verifier refuses) could even write its private offsets: every member reads
    /// each offset once, checks it unsigned against the 64 data bytes, and touches only the frame's
    /// own data words. Handles in it are only handles: the kernel checks them when the frame is
    /// sent, the exchange guard when a block taken from it is used.</safety>
    public struct MessageFrame
    {
        /// <safety>A constant.</safety>
        public const int MaxDataBytes = RawMessage.DataBytes;
        /// <safety>A constant.</safety>
        public const int MaxHandles = RawMessage.MaxHandles;

        // Field order is the layout Tests/TestSips/FrameForger knows: the message, then the offsets.
        internal RawMessage Raw;
        private int _dataOffset;    // bytes put so far
        private int _readOffset;    // bytes taken so far (received frames start at 0)
        private int _handleIndex;   // next handle to take

        /// <safety>Plain data the receiver interprets.</safety>
        public int Tag
        {
            get => Raw.Tag;
            set => Raw.Tag = value;
        }

        // Where the next `size` bytes of the data words start: the offset `offset` names, which
        // then moves past them. The offset is read once (another thread may change it) and checked
        // unsigned, so a negative or too large offset, or a size past the end, throws before any
        // byte is touched.
        private static int Claim(ref int offset, int size)
        {
            int at = offset;
            if ((uint)at > MaxDataBytes || (uint)size > (uint)(MaxDataBytes - at))
                throw new InvalidOperationException("a message carries at most 64 bytes of data");
            offset = at + size;
            return at;
        }

        /// <safety>Writes <c>sizeof(T)</c> bytes inside the data words (RawMessage.WriteData checks the
        /// range again); T must hold no references (the verifier checks the constraint, and this
        /// checks it again).</safety>
        public void Put<T>(T value) where T : unmanaged
        {
            CheckPlainData<T>();
            Raw.WriteData<T>(Claim(ref _dataOffset, Unsafe.SizeOf<T>()), value);
        }

        /// <safety>Reads <c>sizeof(T)</c> bytes inside the data words; T must hold no references
        /// (checked), so the bytes, whoever sent them, become only a plain value.</safety>
        public T Take<T>() where T : unmanaged
        {
            CheckPlainData<T>();
            return Raw.ReadData<T>(Claim(ref _readOffset, Unsafe.SizeOf<T>()));
        }

        /// <safety>Adds the buffer's handle (at most four: InvalidOperationException).</safety>
        public void PutBuffer([Claims] ExBuffer buffer) => Raw.Add(buffer.Block);

        /// <safety>The next handle (index checked against the count; a non-block is InvalidCastException), as a buffer the kernel checks on every use.</safety>
        public ExBuffer TakeBuffer() => new ExBuffer(Raw.GetBlock(NextHandle()));

        /// <safety>Adds the array's handle (at most four).</safety>
        public void PutArray<T>([Claims] ExArray<T> array) where T : unmanaged => Raw.Add(array.Block);

        /// <safety>As TakeBuffer; the element type is checked for references.</safety>
        public ExArray<T> TakeArray<T>() where T : unmanaged
        {
            ExArray<T>.CheckElementType();
            return new ExArray<T>(Raw.GetBlock(NextHandle()));
        }

        /// <safety>Adds the endpoint's handle (at most four); the kernel checks it when the frame is sent.</safety>
        public void PutEndpoint([Claims] EndpointHandle handle) => Raw.Add(handle.Raw);

        /// <safety>As TakeBuffer, for an endpoint handle.</safety>
        public EndpointHandle TakeEndpoint() => new EndpointHandle(Raw.GetEndpoint(NextHandle()));

        /// <summary>
        /// Whether the frame carries exactly the handles <paramref name="kinds"/> names, in order
        /// ('B' an exchange block, 'E' an endpoint): generated receives check a peer's message
        /// with it before taking its arguments.
        /// </summary>
        /// <safety>Reads the count (clamped to 0..4) and the kinds of the frame's own handle fields; null is false.</safety>
        public bool Carries(string kinds)
        {
            if (kinds == null || Raw.HandleCount != kinds.Length) return false;
            for (int i = 0; i < kinds.Length; i++)
            {
                char k = kinds[i];
                if (k == 'B' ? !Raw.IsBlock(i) : k != 'E' || Raw.IsBlock(i)) return false;
            }
            return true;
        }

        private int NextHandle()
        {
            int i = _handleIndex;
            _handleIndex = i + 1;
            return i;
        }

        private static void CheckPlainData<T>()
        {
            if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
                throw new InvalidOperationException("message data must be unmanaged values (no references)");
        }

        /// <summary>
        /// Frees the blocks and closes the endpoints the frame carries that were not taken yet: a
        /// generated Message's Discard (a message its receiver does not serve).
        /// </summary>
        /// <safety>Releases only handles after the last one taken from this frame, each through the
        /// kernel, which frees or closes only what the calling SIP owns: on a copy whose handles were
        /// already taken or released elsewhere the kernel refuses (the SIP fails, as for any double free).</safety>
        public void ReleaseUntaken()
        {
            for (int i = _handleIndex; i < Raw.HandleCount; i++)
            {
                if (Raw.IsBlock(i)) Raw.GetBlock(i).Free();
                else Raw.GetEndpoint(i).Close();
            }
            _handleIndex = Raw.HandleCount;
        }

        /// <summary>Frees what a frame that cannot be delivered still owns (its blocks and endpoints).</summary>
        internal void DropHandles()
        {
            for (int i = 0; i < Raw.HandleCount; i++)
            {
                if (Raw.IsBlock(i)) Raw.GetBlock(i).Free();
                else Raw.GetEndpoint(i).Close();
            }
        }
    }
}
