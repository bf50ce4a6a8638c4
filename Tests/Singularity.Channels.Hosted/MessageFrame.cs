using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Singularity.Channels
{
    /// <summary>
    /// A message being built or taken apart by generated code: the tag, plain data packed
    /// sequentially (at most 64 bytes, as on the kernel) and up to four tracked values in order.
    /// </summary>
    public struct MessageFrame
    {
        public const int MaxDataBytes = 64;
        public const int MaxHandles = 4;

        private byte[]? _data;
        private int _dataOffset;       // bytes put so far
        private int _readOffset;       // bytes taken so far (a frame is built by one side, read by the other)
        private object?[]? _handles;   // ExchangeBlock or ChannelEnd
        private int _handleCount;
        private int _handleIndex;

        public int Tag { get; set; }

        public void Put<T>(T value) where T : unmanaged
        {
            int size = Unsafe.SizeOf<T>();
            if (_dataOffset + size > MaxDataBytes) throw new InvalidOperationException("a message carries at most 64 bytes of data");
            _data ??= new byte[MaxDataBytes];
            Unsafe.WriteUnaligned(ref _data[_dataOffset], value);
            _dataOffset += size;
        }

        public T Take<T>() where T : unmanaged
        {
            int size = Unsafe.SizeOf<T>();
            if (_data == null || _readOffset + size > _dataOffset) throw new InvalidOperationException("the message has no more data");
            T value = Unsafe.ReadUnaligned<T>(ref _data[_readOffset]);
            _readOffset += size;
            return value;
        }

        public void PutBuffer(ExBuffer buffer)
        {
            if (buffer.Block == null) throw new InvalidOperationException("sending a null ExBuffer");
            buffer.Block.Transfer(buffer.Generation, "ExBuffer");
            AddHandle(buffer.Block);
        }

        public ExBuffer TakeBuffer()
        {
            var block = NextHandle() as ExchangeBlock ?? throw new InvalidOperationException("the message's next tracked value is not a buffer");
            return new ExBuffer(block, block.Adopt());
        }

        public void PutArray<T>(ExArray<T> array) where T : unmanaged
        {
            if (array.Block == null) throw new InvalidOperationException("sending a null ExArray");
            array.Block.Transfer(array.Generation, "ExArray");
            AddHandle(array.Block);
        }

        public ExArray<T> TakeArray<T>() where T : unmanaged
        {
            var block = NextHandle() as ExchangeBlock;
            if (block == null || block.Data is not T[]) throw new InvalidOperationException("the message's next tracked value is not an ExArray<" + typeof(T).Name + ">");
            return new ExArray<T>(block, block.Adopt());
        }

        public void PutEndpoint(EndpointHandle handle)
        {
            if (handle.End == null) throw new InvalidOperationException("sending a null endpoint");
            AddHandle(handle.End);
        }

        public EndpointHandle TakeEndpoint()
        {
            var end = NextHandle() as ChannelEnd ?? throw new InvalidOperationException("the message's next tracked value is not an endpoint");
            end.Touch();
            return new EndpointHandle(end);
        }

        /// <summary>Whether the frame carries exactly the tracked values <paramref name="kinds"/> names ('B' a block, 'E' an endpoint), as on the kernel.</summary>
        public bool Carries(string kinds)
        {
            if (kinds == null || _handleCount != kinds.Length) return false;
            for (int i = 0; i < kinds.Length; i++)
            {
                object? h = _handles![i];
                if (kinds[i] == 'B' ? h is not ExchangeBlock : kinds[i] != 'E' || h is not ChannelEnd) return false;
            }
            return true;
        }

        private void AddHandle(object handle)
        {
            if (_handleCount >= MaxHandles) throw new InvalidOperationException("a message carries at most four tracked values");
            _handles ??= new object?[MaxHandles];
            _handles[_handleCount++] = handle;
        }

        private object NextHandle()
        {
            if (_handles == null || _handleIndex >= _handleCount) throw new InvalidOperationException("the message has no more tracked values");
            object h = _handles[_handleIndex]!;
            _handles[_handleIndex++] = null;   // taken once
            return h;
        }

        // ---- used by ChannelEnd, under Hub.Lock ----

        internal void SetInFlight(bool inFlight)
        {
            for (int i = 0; i < _handleCount; i++)
                if (_handles![i] is ChannelEnd end) end.Carried(inFlight, null);
        }

        internal void Arrive(Thread receiver)
        {
            for (int i = 0; i < _handleCount; i++)
                if (_handles![i] is ChannelEnd end) end.Carried(false, receiver);
        }

        /// <summary>Releases what an undeliverable message carries.</summary>
        internal void Drop()
        {
            for (int i = 0; i < _handleCount; i++)
            {
                if (_handles![i] is ExchangeBlock block) block.Drop();
                else if (_handles[i] is ChannelEnd end) end.Close();   // Monitor is reentrant: fine under Hub.Lock
            }
        }
    }
}
