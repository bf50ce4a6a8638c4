using Singularity;
using Singularity.Threading;

// The bystander: counts forever, reporting every 100 ms through the console service (or the
// kernel log when none runs), so tests can see it keeps running.
public static class Program
{
    public static int Main()
    {
        var console = new Console();
        long n = 0;
        while (true)
        {
            n++;
            console.WriteLine("counter#" + Sip.Id.ToString() + ": " + n.ToString());
            Thread.Sleep(100);
        }
    }
}
