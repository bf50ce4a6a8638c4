using Singularity;

// The manifest (docs/sips.md): the build embeds it in the image; the kernel grants the quota.
[assembly: SipManifest("__SIPNAME__", HeapQuotaMiB = 2)]

// Class names carry the project's name, so that a test project can compile several SIPs together.
public static class __NAME__Program
{
    public static int Main()
    {
        // Prints through the console service (Singularity.Console), or the kernel log while none runs.
        var console = new Console();
        console.WriteLine(Greeting(Sip.Name, Sip.Id, Sip.Arguments));
        console.Close();
        return 0;
    }

    /// <summary>The SIP's logic, apart from Main so that a test can call it alone too.</summary>
    public static string Greeting(string name, int id, string arguments) =>
        "__SIPNAME__: hello from SIP " + name + "#" + id.ToString() + " (arguments: '" + arguments + "')";
}
