using Singularity;
using Singularity.Channels;
using Singularity.Threading;

// The first argument says how the buffer is given away before it is touched again:
//   sent      sent in a message on a channel of this SIP (in flight: the kernel holds it)
//   freed     freed
// The touch must throw InvalidOperationException, which this SIP does not catch: it fails alone.
public static class Program
{
    private sealed class Pipe : Endpoint
    {
        public Pipe([Claims] EndpointHandle handle) : base(handle, 0) { }
        public void Send(ref MessageFrame frame) => SendFrame(ref frame);
        public ReceiveResult Receive(out MessageFrame frame, int timeoutMs) => ReceiveFrame(out frame, timeoutMs);
    }

    public static int Main()
    {
        Thread.Sleep(300);
        string how = Sip.Arguments.StartsWith("freed") ? "freed" : "sent";
        ExBuffer buffer = ExBuffer.Allocate(4096);
        buffer.WriteInt64(0, 42);
        ExBuffer stale = buffer;                  // a second name for the same block: the checkers would refuse its use below
        EndpointHandle.CreateChannel(out EndpointHandle x, out EndpointHandle y);
        var a = new Pipe(x);
        var b = new Pipe(y);
        if (how == "freed")
        {
            buffer.Free();
        }
        else
        {
            var m = new MessageFrame { Tag = 1 };
            m.PutBuffer(buffer);
            a.Send(ref m);
        }
        Debug.WriteLine("staleblock: gave the buffer away (" + how + "); touching it");
        stale.WriteInt64(8, 7);                   // must throw: this SIP no longer owns the block
        Debug.WriteLine("staleblock: FAILED the write went through");
        return 1;
    }
}
