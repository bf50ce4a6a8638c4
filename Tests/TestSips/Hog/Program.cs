using Singularity;

// Keeps everything it allocates reachable: it must be stopped at its heap quota.
public static class Program
{
    private sealed class Chunk { public Chunk Next; public byte[] Data; }

    public static int Main()
    {
        Chunk head = null;
        long total = 0;
        while (true)
        {
            head = new Chunk { Next = head, Data = new byte[16 * 1024] };
            total += 16 * 1024;
            if (total % (1024 * 1024) == 0) Debug.WriteLine("hog: holding " + (total / 1024).ToString() + " KiB");
        }
    }
}
