using Singularity;

// Allocates far more than its heap quota over time while keeping only a small set alive:
// only a working collector lets it finish.
public static class Program
{
    private sealed class Node
    {
        public Node Next;
        public byte[] Payload;
        public long Id;
    }

    public static int Main()
    {
        ulong quota = Sip.HeapQuota;
        ulong target = quota * 100;
        ulong allocated = 0;
        var keep = new Node[64];
        long id = 0;
        while (allocated < target)
        {
            var n = new Node { Id = id, Payload = new byte[1000 + (int)(id % 3000)] };
            n.Payload[0] = (byte)id;
            n.Next = keep[id % 64];
            if (n.Next != null && n.Next.Next != null) n.Next.Next = null;   // chains stay short
            keep[id % 64] = n;
            allocated += (ulong)n.Payload.Length + 64;
            id++;
        }
        // The survivors must be intact after all those collections.
        for (int i = 0; i < 64; i++)
        {
            Node n = keep[i];
            if (n == null || n.Payload[0] != (byte)n.Id || n.Id % 64 != i)
            {
                Debug.WriteLine("gcstress: FAILED survivor " + i.ToString() + " is corrupt");
                return 1;
            }
        }
        Debug.WriteLine("gcstress: allocated " + (allocated / 1024).ToString() + " KiB with a quota of "
                        + (quota / 1024).ToString() + " KiB in " + Sip.Collections.ToString()
                        + " collections; heap now " + (Sip.HeapBytes / 1024).ToString() + " KiB; survivors intact");
        return 0;
    }
}
