using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

// The manifest (docs/sips.md): the build embeds it in the image; the kernel grants the quota.
[assembly: SipManifest("__SIPNAME__", HeapQuotaMiB = 2)]

// A service: registers /service/__SIPNAME__ and serves EchoContract clients one after another
// (docs/channels.md). Registering a name needs the system manifest's grant: system.manifest in
// this folder has it (`./sing run --sips . --manifest system.manifest`).
public static class __NAME__Program
{
    public const string ServiceName = "/service/__SIPNAME__";

    public static int Main()
    {
        if (!EchoContract.Listener.TryRegister(ServiceName, out EchoContract.Listener listener))
        {
            Debug.WriteLine("__SIPNAME__: could not register " + ServiceName + " (is it granted in the system manifest?)");
            return 1;
        }
        Debug.WriteLine("__SIPNAME__: listening on " + ServiceName);
        while (true)
        {
            listener.Accept(out EchoContract.Exp client);
            if (client == null) break;       // the listener was closed
            int pings = __NAME__Service.Serve(client);
            Debug.WriteLine("__SIPNAME__: a client left after " + pings.ToString() + " pings");
        }
        listener.Close();
        return 0;
    }
}
