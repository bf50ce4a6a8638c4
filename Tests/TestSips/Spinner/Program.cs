using Singularity;

// An infinite loop with no yield and no watchdog: preemption must keep others running.
public static class Program
{
    // No mutable statics in a SIP: the volatile counter lives in an object.
    private sealed class Sink { public volatile int Value; }

    public static int Main()
    {
        Debug.WriteLine("spinner: spinning forever");
        var sink = new Sink();
        while (true) sink.Value++;
    }
}
