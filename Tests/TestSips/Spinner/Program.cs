using Singularity;

// An infinite loop with no yield and no watchdog: preemption must keep others running.
public static class Program
{
    private static volatile int s_sink;

    public static int Main()
    {
        Debug.WriteLine("spinner: spinning forever");
        while (true) s_sink++;
    }
}
