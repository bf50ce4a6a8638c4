using Singularity;
using Singularity.Threading;

// The bystander: counts forever, reporting every 100 ms, so tests can see it keeps running.
public static class Program
{
    public static int Main()
    {
        long n = 0;
        while (true)
        {
            n++;
            Debug.WriteLine("counter#" + Sip.Id.ToString() + ": " + n.ToString());
            Thread.Sleep(100);
        }
    }
}
