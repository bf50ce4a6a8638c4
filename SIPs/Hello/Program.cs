using Singularity;

public static class Program
{
    public static int Main()
    {
        Debug.WriteLine("hello from SIP " + Sip.Name + "#" + Sip.Id.ToString() + " (arguments: '" + Sip.Arguments + "')");
        return 0;
    }
}
