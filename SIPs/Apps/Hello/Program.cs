using Singularity;

// The manifest (docs/verifier.md): the build embeds it in the image; the kernel grants the quota.
[assembly: SipManifest("hello", HeapQuotaMiB = 2)]

public static class Program
{
    public static int Main()
    {
        Debug.WriteLine("hello from SIP " + Sip.Name + "#" + Sip.Id.ToString() + " (arguments: '" + Sip.Arguments + "')");
        Debug.WriteLine("hello: heap quota " + (Sip.HeapQuota / 1024).ToString() + " KiB");
        return 0;
    }
}
