using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Singularity.Abi;
using Singularity.Runtime;

namespace Singularity.Ipc
{
    /// <summary>
    /// A block of the exchange heap: memory that moves between SIPs by ownership. Sending it in
    /// a message gives it away; afterwards this SIP can no longer reach it. The SIP never holds
    /// the block's address: every access is a copy the kernel makes while this SIP owns the
    /// block, so another thread that frees or sends it meanwhile cannot leave a write landing in
    /// memory that is no longer the block. Contract-typed endpoints build on this.
    /// </summary>
    public readonly unsafe struct ExBlock
    {
        internal readonly ulong Handle;

        internal ExBlock(ulong handle) { Handle = handle; }

        private const string NotOwned = "this SIP does not own the exchange block (it was sent or freed)";

        public bool IsNull => Handle == 0;

        /// <summary>A zeroed block; throws when the exchange heap quota is exhausted.</summary>
        public static ExBlock Allocate(int length)
        {
            if (length <= 0) throw new ArgumentOutOfRangeException("length");
            ulong h = KernelCalls.Abi->ExAllocate((ulong)length);
            if (h == 0) throw new OutOfMemoryException("exchange heap quota exhausted");
            return new ExBlock(h);
        }

        public int Length
        {
            get
            {
                ulong len;
                if (KernelCalls.Abi->ExAccess(Handle, &len) == 0) throw new InvalidOperationException(NotOwned);
                return (int)len;
            }
        }

        // Copies between the block (from offset) and this SIP's memory; the kernel checks ownership
        // and bounds. Internal so that ExArray<T> (Singularity.Channels) can move whole elements.
        internal void Read(ulong offset, byte* destination, ulong length) =>
            Check(KernelCalls.Abi->ExRead(Handle, offset, destination, length));

        internal void Write(ulong offset, byte* source, ulong length) =>
            Check(KernelCalls.Abi->ExWrite(Handle, offset, source, length));

        private static void Check(int result)
        {
            if (result == 0) return;
            if (result == -2) throw new IndexOutOfRangeException();
            throw new InvalidOperationException(NotOwned);
        }

        private static ulong Offset(int offset)
        {
            if (offset < 0) throw new IndexOutOfRangeException();
            return (ulong)offset;
        }

        public byte this[int index]
        {
            get { byte b = 0; Read(Offset(index), &b, 1); return b; }
            set { Write(Offset(index), &value, 1); }
        }

        public long ReadInt64(int offset)
        {
            long v = 0;
            Read(Offset(offset), (byte*)&v, 8);
            return v;
        }

        public void WriteInt64(int offset, long value) => Write(Offset(offset), (byte*)&value, 8);

        public void CopyFrom(byte[] source, int offset)
        {
            if (source == null) throw new ArgumentNullException("source");
            ulong at = Offset(offset);
            fixed (byte* s = source) Write(at, s, (ulong)source.Length);
        }

        public void CopyTo(byte[] destination, int offset)
        {
            if (destination == null) throw new ArgumentNullException("destination");
            ulong at = Offset(offset);
            fixed (byte* d = destination) Read(at, d, (ulong)destination.Length);
        }

        public void Free()
        {
            if (KernelCalls.Abi->ExFree(Handle) != 0) throw new InvalidOperationException("this SIP does not own the exchange block");
        }
    }

    /// <summary>One end of a channel, as a handle of this SIP.</summary>
    public readonly unsafe struct RawEndpoint
    {
        internal readonly int Handle;

        internal RawEndpoint(int handle) { Handle = handle; }

        public bool IsNull => Handle <= 0;

        public static void CreateChannel(out RawEndpoint imp, out RawEndpoint exp)
        {
            int a, b;
            int r = KernelCalls.Abi->ChannelCreate(&a, &b);
            if (r != ChannelStatus.Ok) throw new OutOfMemoryException("cannot create a channel");
            imp = new RawEndpoint(a);
            exp = new RawEndpoint(b);
        }

        /// <summary>Sends; blocks while the peer's queue is full. Returns Ok, Closed, TimedOut or BadMessage.</summary>
        public RecvStatus Send(ref RawMessage message, int timeoutMs = -1)
        {
            int r = KernelCalls.Abi->ChannelSend(Handle, (ChannelMessage*)Unsafe.AsPointer(ref message), Threading.Sync.TimeoutNs(timeoutMs));
            return Status(r);
        }

        /// <summary>Receives the next message; Closed once the peer is gone and the queue is empty.</summary>
        public RecvStatus Receive(out RawMessage message, int timeoutMs = -1)
        {
            message = default;
            int r = KernelCalls.Abi->ChannelReceive(Handle, (ChannelMessage*)Unsafe.AsPointer(ref message), Threading.Sync.TimeoutNs(timeoutMs));
            return Status(r);
        }

        /// <summary>Waits until one endpoint has a message or a closed peer; its index, or -1 on timeout.</summary>
        public static int Select(RawEndpoint[] endpoints, int timeoutMs = -1)
        {
            if (endpoints.Length == 0 || endpoints.Length > 64) throw new ArgumentOutOfRangeException("endpoints");
            int* handles = stackalloc int[endpoints.Length];
            for (int i = 0; i < endpoints.Length; i++) handles[i] = endpoints[i].Handle;
            int r = KernelCalls.Abi->ChannelSelect(handles, endpoints.Length, Threading.Sync.TimeoutNs(timeoutMs));
            if (r >= 0) return r;
            if (r == ChannelStatus.TimedOut) return -1;
            throw new InvalidOperationException("select over an endpoint this SIP does not hold");
        }

        public void Close() => KernelCalls.Abi->ChannelClose(Handle);

        private static RecvStatus Status(int r) => r switch
        {
            ChannelStatus.Ok => RecvStatus.Ok,
            ChannelStatus.Closed => RecvStatus.Closed,
            ChannelStatus.TimedOut => RecvStatus.TimedOut,
            ChannelStatus.BadMessage => RecvStatus.BadMessage,
            _ => RecvStatus.BadHandle,
        };
    }

    public enum RecvStatus { Ok, Closed, TimedOut, BadMessage, BadHandle }

    /// <summary>
    /// A message as it crosses a channel: a tag, eight words of data and up to four handles
    /// (exchange blocks or endpoints) that move with it. Same layout as the kernel's.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RawMessage
    {
        public int Tag;
        private int _handleCount;
        public long D0, D1, D2, D3, D4, D5, D6, D7;
        private ulong _h0, _h1, _h2, _h3;

        public int HandleCount => _handleCount;

        public void Add(ExBlock block) => AddHandle(block.Handle);

        public void Add(RawEndpoint endpoint) => AddHandle(ChannelMessage.KindEndpoint | (uint)endpoint.Handle);

        /// <summary>Whether handle <paramref name="i"/> is an exchange block (else an endpoint).</summary>
        public bool IsBlock(int i) => (GetHandle(i) & ChannelMessage.KindMask) == ChannelMessage.KindBlock;

        public ExBlock GetBlock(int i)
        {
            ulong h = GetHandle(i);
            if ((h & ChannelMessage.KindMask) != ChannelMessage.KindBlock) throw new InvalidCastException("handle " + i.ToString() + " is not an exchange block");
            return new ExBlock(h);
        }

        public RawEndpoint GetEndpoint(int i)
        {
            ulong h = GetHandle(i);
            if ((h & ChannelMessage.KindMask) != ChannelMessage.KindEndpoint) throw new InvalidCastException("handle " + i.ToString() + " is not an endpoint");
            return new RawEndpoint((int)(uint)h);
        }

        private void AddHandle(ulong h)
        {
            switch (_handleCount)
            {
                case 0: _h0 = h; break;
                case 1: _h1 = h; break;
                case 2: _h2 = h; break;
                case 3: _h3 = h; break;
                default: throw new InvalidOperationException("a message carries at most four handles");
            }
            _handleCount++;
        }

        private ulong GetHandle(int i)
        {
            if ((uint)i >= (uint)_handleCount) throw new IndexOutOfRangeException();
            return i == 0 ? _h0 : i == 1 ? _h1 : i == 2 ? _h2 : _h3;
        }
    }

    /// <summary>The name service: services register names, clients bind to them.</summary>
    public static unsafe class Names
    {
        /// <summary>Registers <paramref name="name"/> (like "/service/echo"); connections arrive on <paramref name="listener"/>'s peer.</summary>
        public static bool Register(string name, RawEndpoint listener)
        {
            byte* buf = stackalloc byte[128];
            int n = Ascii(name, buf);
            return KernelCalls.Abi->NameRegister(buf, n, listener.Handle) == ChannelStatus.Ok;
        }

        /// <summary>Connects to a service; false if no live service has the name.</summary>
        public static bool TryBind(string name, out RawEndpoint endpoint)
        {
            byte* buf = stackalloc byte[128];
            int n = Ascii(name, buf);
            int h;
            int r = KernelCalls.Abi->NameBind(buf, n, &h);
            endpoint = r == ChannelStatus.Ok ? new RawEndpoint(h) : default;
            return r == ChannelStatus.Ok;
        }

        /// <summary>
        /// The endpoint the kernel wired for <paramref name="path"/> from this SIP's manifest
        /// ([Exports]: the listener where connections arrive; [Imports]: a channel to the
        /// service). Each can be taken once; false if there is none (or it was taken).
        /// </summary>
        public static bool TryTakeStartup(string path, out RawEndpoint endpoint)
        {
            byte* buf = stackalloc byte[128];
            int n = Ascii(path, buf);
            int h = KernelCalls.Abi->TakeStartupEndpoint(buf, n);
            endpoint = h > 0 ? new RawEndpoint(h) : default;
            return h > 0;
        }

        /// <summary>The tag of the message a service's listener receives when a client binds; it carries the client's channel.</summary>
        public const int ConnectTag = -1;

        private static int Ascii(string s, byte* buf)
        {
            if (s == null || s.Length == 0 || s.Length > 128) throw new ArgumentException("a name is 1 to 128 ASCII characters");
            for (int i = 0; i < s.Length; i++) buf[i] = s[i] < 128 ? (byte)s[i] : (byte)'?';
            return s.Length;
        }
    }

    /// <summary>How much of the exchange heap this SIP owns.</summary>
    public static unsafe class Exchange
    {
        public static ulong BytesOwned => KernelCalls.Abi->ExchangeBytes();
    }
}
