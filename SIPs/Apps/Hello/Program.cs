using Singularity;

// The manifest (docs/verifier.md): the build embeds it in the image; the kernel grants the quota.
[assembly: SipManifest("hello", HeapQuotaMiB = 2)]

public static class Program
{
    public static int Main()
    {
        var console = new Console();   // Libraries/Console: the console service, or the kernel log while none runs
        console.WriteLine("hello from SIP " + Sip.Name + "#" + Sip.Id.ToString() + " (arguments: '" + Sip.Arguments + "')");
        console.WriteLine("hello: heap quota " + (Sip.HeapQuota / 1024).ToString() + " KiB");
        console.Close();
        return 0;
    }
}
