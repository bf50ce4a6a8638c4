using System;
using System.Runtime.CompilerServices;
using Singularity.Abi;
using Singularity.Ipc;

namespace Singularity.Channels
{
    /// <summary>
    /// A message being built or taken apart by generated code: the tag, plain data packed
    /// sequentially into the message's 64 data bytes, and up to four tracked handles in order.
    /// </summary>
    public unsafe struct MessageFrame
    {
        public const int MaxDataBytes = ChannelMessage.DataWords * 8;
        public const int MaxHandles = ChannelMessage.MaxHandles;

        internal RawMessage Raw;
        private int _dataOffset;    // bytes put so far
        private int _readOffset;    // bytes taken so far (received frames start at 0)
        private int _handleIndex;   // next handle to take

        public int Tag
        {
            get => Raw.Tag;
            set => Raw.Tag = value;
        }

        // The data words are contiguous (RawMessage is sequential): D0 is the first byte.
        // Frames live on the stack or inside a Message on the stack, so the address is stable.
        private byte* Data(ref int offset, int size)
        {
            if (offset + size > MaxDataBytes) throw new InvalidOperationException("a message carries at most 64 bytes of data");
            byte* p = (byte*)Unsafe.AsPointer(ref Raw.D0) + offset;
            offset += size;
            return p;
        }

        public void Put<T>(T value) where T : unmanaged => Unsafe.Write<T>(Data(ref _dataOffset, Unsafe.SizeOf<T>()), value);

        public T Take<T>() where T : unmanaged => Unsafe.Read<T>(Data(ref _readOffset, Unsafe.SizeOf<T>()));

        public void PutBuffer(ExBuffer buffer) => Raw.Add(buffer.Block);

        public ExBuffer TakeBuffer() => new ExBuffer(Raw.GetBlock(_handleIndex++));

        public void PutArray<T>(ExArray<T> array) where T : unmanaged => Raw.Add(array.Block);

        public ExArray<T> TakeArray<T>() where T : unmanaged => new ExArray<T>(Raw.GetBlock(_handleIndex++));

        public void PutEndpoint(EndpointHandle handle) => Raw.Add(handle.Raw);

        public EndpointHandle TakeEndpoint() => new EndpointHandle(Raw.GetEndpoint(_handleIndex++));

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
