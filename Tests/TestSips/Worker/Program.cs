using Singularity;
using Singularity.Threading;

// One of many: does a little work, sleeps, and reports once.
public static class Program
{
    public static int Main()
    {
        long sum = 0;
        for (int i = 0; i < 20000; i++) sum += i % 7;
        Thread.Sleep(200);
        Debug.WriteLine("worker#" + Sip.Id.ToString() + " done " + sum.ToString());
        return 0;
    }
}
