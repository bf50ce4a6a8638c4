using Singularity.Channels;

/// <summary>
/// A bare endpoint of this SIP's own: it sends and receives whole frames under no protocol. Any
/// SIP may write one (a generated endpoint is the same thing with a state machine), so the attacks
/// reach channels through the surface every SIP has, not through the runtime's raw layer.
/// </summary>
internal sealed class Wire : Endpoint
{
    private Wire([Claims] EndpointHandle handle) : base(handle, 0) { }

    public static void NewChannel(out Wire a, out Wire b)
    {
        EndpointHandle.CreateChannel(out EndpointHandle x, out EndpointHandle y);
        a = new Wire(x);
        b = new Wire(y);
    }

    /// <summary>Wraps a channel handle this SIP holds, or one it only believes it holds (a stale copy).</summary>
    public static Wire From([Claims] EndpointHandle handle) => new Wire(handle);

    /// <summary>A channel made and closed again at once (a probe of what creation costs or is refused).</summary>
    public static void OpenAndClose()
    {
        NewChannel(out Wire a, out Wire b);
        try { a.Close(); }
        finally { b.Close(); }
    }

    public void Send(ref MessageFrame frame) => SendFrame(ref frame);

    public ReceiveResult Receive(out MessageFrame frame, int timeoutMs) => ReceiveFrame(out frame, timeoutMs);
}
