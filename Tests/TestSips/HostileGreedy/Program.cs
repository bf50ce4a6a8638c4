using Singularity;

// The manifest asks for far more heap than the machine has (the largest quota a manifest may
// declare). The SIP then takes memory until the kernel refuses: that must end this SIP, while
// the kernel keeps what it needs for itself and for other SIPs.
[assembly: SipManifest("hostilegreedy", HeapQuotaMiB = 4096)]

public static class Program
{
    private sealed class Chunk { public Chunk Next; public byte[] Data; }

    public static int Main()
    {
        string me = "hostilegreedy#" + Sip.Id.ToString();
        Debug.WriteLine(me + ": heap quota " + (Sip.HeapQuota / (1024 * 1024)).ToString() + " MiB; taking memory");
        Chunk head = null;
        for (int i = 1; ; i++)
        {
            head = new Chunk { Next = head, Data = new byte[1024 * 1024 - 64] };
            if (i % 32 == 0) Debug.WriteLine(me + ": " + i.ToString() + " MiB held");
        }
    }
}
