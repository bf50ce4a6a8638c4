using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Singularity.Ipc
{
    /// <summary>
    /// Hosted twin of the kernel transport's RawMessage: a tag, 64 bytes of data and up to four
    /// handles (exchange blocks or channel ends, each with the generation that owns it).
    /// </summary>
    internal struct RawMessage
    {
        internal const int DataBytes = 64;
        internal const int MaxHandles = 4;

        public int Tag;
        private int _handleCount;
        private DataWords _data;
        private Slot _h0, _h1, _h2, _h3;

        [StructLayout(LayoutKind.Sequential)]
        private struct DataWords { public long D0, D1, D2, D3, D4, D5, D6, D7; }

        /// <summary>One handle: a block or a channel end, and the generation its holder owns.</summary>
        internal struct Slot
        {
            public ExchangeBlock? Block;
            public ChannelEnd? End;
            public int Generation;
        }

        public int HandleCount { get { int n = _handleCount; return (uint)n <= MaxHandles ? n : 0; } }

        internal int RawHandleCount => _handleCount;

        [UnscopedRef]
        private Span<byte> Data => MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref _data.D0, 8));

        internal T ReadData<T>(int at) where T : unmanaged
        {
            if ((uint)at > DataBytes || (uint)Unsafe.SizeOf<T>() > (uint)(DataBytes - at)) throw new InvalidOperationException("a message carries at most 64 bytes of data");
            return MemoryMarshal.Read<T>(Data.Slice(at));
        }

        internal void WriteData<T>(int at, T value) where T : unmanaged
        {
            if ((uint)at > DataBytes || (uint)Unsafe.SizeOf<T>() > (uint)(DataBytes - at)) throw new InvalidOperationException("a message carries at most 64 bytes of data");
            MemoryMarshal.Write(Data.Slice(at), in value);
        }

        public void Add(ExBlock block) => AddSlot(new Slot { Block = block.Block, Generation = block.Generation });

        public void Add(RawEndpoint endpoint) => AddSlot(new Slot { End = endpoint.End, Generation = endpoint.Generation });

        public bool IsBlock(int i) => GetSlot(i).End == null;

        public ExBlock GetBlock(int i)
        {
            Slot s = GetSlot(i);
            if (s.End != null) throw new InvalidCastException("handle " + i + " is not an exchange block");
            return s.Block == null ? default : new ExBlock(s.Block, s.Generation);
        }

        public RawEndpoint GetEndpoint(int i)
        {
            Slot s = GetSlot(i);
            if (s.End == null) throw new InvalidCastException("handle " + i + " is not an endpoint");
            return new RawEndpoint(s.End, s.Generation);
        }

        private void AddSlot(Slot slot)
        {
            int n = _handleCount;
            if ((uint)n >= MaxHandles) throw new InvalidOperationException("a message carries at most four handles");
            SlotRef(n) = slot;
            _handleCount = n + 1;
        }

        private Slot GetSlot(int i)
        {
            if ((uint)i >= (uint)HandleCount) throw new IndexOutOfRangeException();
            return SlotRef(i);
        }

        /// <summary>Handle <paramref name="i"/> (0 to 3) itself, for the transport to check and rewrite.</summary>
        [UnscopedRef]
        internal ref Slot SlotRef(int i)
        {
            switch (i)
            {
                case 0: return ref _h0;
                case 1: return ref _h1;
                case 2: return ref _h2;
                case 3: return ref _h3;
                default: throw new IndexOutOfRangeException();
            }
        }
    }
}
