// Stand-in definitions of the Singularity.Channels API (docs/../spec contract-api), written by hand
// for the analyzer's tests, the end-to-end sample and the benchmark, until the generator and the
// runtimes land. The analyzer matches these names by full metadata name only; the bodies do nothing.
// EchoContract and FileContract below are "generated-like": what the generator emits for
//   EchoContract: state Start: Ping? -> (Pong! | Busy!) -> Start;
//   FileContract: state Ready: one { Read? -> Reading; Write? -> Ready; Bye? -> End; }
//                 state Reading: Data! -> Ready;  state End: close;
#pragma warning disable CS0169, CS0649, CS8618, CS8625, CS8601, CS8603
using System;

namespace Singularity.Channels
{
    [AttributeUsage(AttributeTargets.Interface)] public sealed class ContractAttribute : Attribute { public string Protocol { get; set; } }
    [AttributeUsage(AttributeTargets.Method)] public sealed class InAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.Method)] public sealed class OutAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct)] public sealed class TrackedAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Method)] public sealed class ClaimsAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Field | AttributeTargets.ReturnValue)]
    public sealed class StateAttribute : Attribute { public StateAttribute(string name) { Name = name; } public string Name { get; } }
    [AttributeUsage(AttributeTargets.Class)]
    public sealed class EndpointProtocolAttribute : Attribute
    {
        public string Initial { get; set; }
        public string[] Transitions { get; set; }
        public string[] Closable { get; set; }
    }

    [Tracked]
    public readonly struct ExBuffer : IDisposable
    {
        readonly int handle;
        public static ExBuffer Allocate(int length) => default;
        public int Length => 0;
        public byte this[int i] { get => 0; set { } }
        public void CopyFrom(byte[] src, int offset) { }
        public void CopyTo(byte[] dst, int offset) { }
        public long ReadInt64(int offset) => 0;
        public void WriteInt64(int offset, long v) { }
        public bool IsNull => handle == 0;
        [Claims] public void Free() { }
        [Claims] public void Dispose() { }
    }

    [Tracked]
    public readonly struct ExArray<T> : IDisposable where T : unmanaged
    {
        readonly int handle;
        public static ExArray<T> Allocate(int count) => default;
        public int Length => 0;
        public T this[int i] { get => default; set { } }
        public bool IsNull => handle == 0;
        [Claims] public void Free() { }
        [Claims] public void Dispose() { }
    }

    public sealed class TRef<T> where T : class
    {
        T value;
        public TRef([Claims] T value) { this.value = value; }
        public T Acquire() { var v = value; value = null; return v; }
        public void Release([Claims] T value) { this.value = value; }
    }

    public struct EndpointHandle { public int Value; }
    public enum ReceiveResult { Message, ChannelClosed, TimedOut }
    public struct MessageFrame { public int Tag; }

    [Tracked]
    public abstract class Endpoint : IDisposable
    {
        protected Endpoint(EndpointHandle handle, int state) { State = state; }
        protected int State { get; set; }
        public bool IsClosed => false;
        public string StateName => "";
        [Claims] public void Close() { }
        [Claims] public void Dispose() { }
    }

    public static class EndpointSet
    {
        public static int Select(Endpoint[] endpoints, int timeoutMs) => -1;
    }
}

namespace Demo
{
    using Singularity.Channels;

    [Contract(Protocol = "state Start: Ping? -> (Pong! | Busy!) -> Start;")]
    public partial interface EchoContract
    {
        [In] void Ping(int seq, ExBuffer payload);
        [Out] void Pong(int seq, ExBuffer payload);
        [Out] void Busy();

        public static void NewChannel(out Imp imp, out Exp exp) { imp = null; exp = null; }

        [EndpointProtocol(Initial = "Start", Transitions = new[] { "Start:!Ping:S1", "S1:?Pong:Start", "S1:?Busy:Start" }, Closable = new[] { "Start" })]
        public sealed class Imp : Endpoint
        {
            Imp() : base(default, 0) { }
            public enum Tag { ChannelClosed = -2, TimedOut = -1, Pong = 0, Busy = 1 }
            public void SendPing(int seq, [Claims] ExBuffer payload) { }
            public ReceiveResult RecvPong(out int seq, out ExBuffer payload, int timeoutMs = -1) { seq = 0; payload = default; return default; }
            public ReceiveResult RecvBusy(int timeoutMs = -1) => default;
            public Tag Receive(out Message m, int timeoutMs = -1) { m = default; return default; }
            public struct Message
            {
                public Tag Kind => default; [Claims] public void Discard() { }
                [Claims] public void TakePong(out int seq, out ExBuffer payload) { seq = 0; payload = default; }
                [Claims] public void TakeBusy() { }
            }
        }

        [EndpointProtocol(Initial = "Start", Transitions = new[] { "Start:?Ping:S1", "S1:!Pong:Start", "S1:!Busy:Start" }, Closable = new[] { "Start" })]
        public sealed class Exp : Endpoint
        {
            Exp() : base(default, 0) { }
            public enum Tag { ChannelClosed = -2, TimedOut = -1, Ping = 0 }
            public void SendPong(int seq, [Claims] ExBuffer payload) { }
            public void SendBusy() { }
            public ReceiveResult RecvPing(out int seq, out ExBuffer payload, int timeoutMs = -1) { seq = 0; payload = default; return default; }
            public Tag Receive(out Message m, int timeoutMs = -1) { m = default; return default; }
            public struct Message
            {
                public Tag Kind => default; [Claims] public void Discard() { }
                [Claims] public void TakePing(out int seq, out ExBuffer payload) { seq = 0; payload = default; }
            }
        }
    }

    [Contract(Protocol = "state Ready: one { Read? -> Reading; Write? -> Ready; Bye? -> End; } state Reading: Data! -> Ready; state End: close;")]
    public partial interface FileContract
    {
        [In] void Read(long offset);
        [In] void Write(long offset, ExBuffer data);
        [In] void Bye();
        [Out] void Data(ExBuffer data);

        public static void NewChannel(out Imp imp, out Exp exp) { imp = null; exp = null; }

        [EndpointProtocol(Initial = "Ready", Transitions = new[] { "Ready:!Read:Reading", "Ready:!Write:Ready", "Ready:!Bye:End", "Reading:?Data:Ready" }, Closable = new[] { "End" })]
        public sealed class Imp : Endpoint
        {
            Imp() : base(default, 0) { }
            public enum Tag { ChannelClosed = -2, TimedOut = -1, Data = 0 }
            public void SendRead(long offset) { }
            public void SendWrite(long offset, [Claims] ExBuffer data) { }
            public void SendBye() { }
            public ReceiveResult RecvData(out ExBuffer data, int timeoutMs = -1) { data = default; return default; }
            public Tag Receive(out Message m, int timeoutMs = -1) { m = default; return default; }
            public struct Message { public Tag Kind => default; [Claims] public void Discard() { } [Claims] public void TakeData(out ExBuffer data) { data = default; } }
        }

        [EndpointProtocol(Initial = "Ready", Transitions = new[] { "Ready:?Read:Reading", "Ready:?Write:Ready", "Ready:?Bye:End", "Reading:!Data:Ready" }, Closable = new[] { "End" })]
        public sealed class Exp : Endpoint
        {
            Exp() : base(default, 0) { }
            public enum Tag { ChannelClosed = -2, TimedOut = -1, Read = 0, Write = 1, Bye = 2 }
            public void SendData([Claims] ExBuffer data) { }
            public ReceiveResult RecvRead(out long offset, int timeoutMs = -1) { offset = 0; return default; }
            public ReceiveResult RecvWrite(out long offset, out ExBuffer data, int timeoutMs = -1) { offset = 0; data = default; return default; }
            public ReceiveResult RecvBye(int timeoutMs = -1) => default;
            public Tag Receive(out Message m, int timeoutMs = -1) { m = default; return default; }
            public struct Message
            {
                public Tag Kind => default; [Claims] public void Discard() { }
                [Claims] public void TakeRead(out long offset) { offset = 0; }
                [Claims] public void TakeWrite(out long offset, out ExBuffer data) { offset = 0; data = default; }
                [Claims] public void TakeBye() { }
            }
        }
    }

    /// <summary>Channels carrying channels: the client hands the server an EchoContract.Exp.</summary>
    [Contract(Protocol = "state Start: Connect? -> Start;")]
    public partial interface BrokerContract
    {
        [In] void Connect(EchoContract.Exp service);
        public static void NewChannel(out Imp imp, out Exp exp) { imp = null; exp = null; }

        [EndpointProtocol(Initial = "Start", Transitions = new[] { "Start:!Connect:Start" }, Closable = new[] { "Start" })]
        public sealed class Imp : Endpoint
        {
            Imp() : base(default, 0) { }
            public enum Tag { ChannelClosed = -2, TimedOut = -1 }
            public void SendConnect([Claims] EchoContract.Exp service) { }
        }

        [EndpointProtocol(Initial = "Start", Transitions = new[] { "Start:?Connect:Start" }, Closable = new[] { "Start" })]
        public sealed class Exp : Endpoint
        {
            Exp() : base(default, 0) { }
            public enum Tag { ChannelClosed = -2, TimedOut = -1, Connect = 0 }
            public ReceiveResult RecvConnect(out EchoContract.Exp service, int timeoutMs = -1) { service = null; return default; }
        }
    }
}
