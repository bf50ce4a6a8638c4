using Singularity;
using Singularity.Channels;
using Singularity.Contracts;
using Singularity.Threading;

public static class Program
{
    public static int Main()
    {
        string mode = Sip.Arguments;
        // Started with the console service, this SIP waits until the service has registered, so
        // that its writes go to the service rather than to the kernel log (the client's fallback).
        while (true)
        {
            ConsoleContract.Bind(Console.ServiceName, out ConsoleContract.Imp probe);
            if (probe != null) { probe.Close(); break; }
            Thread.Sleep(10);
        }
        var console = new Console();
        if (mode.StartsWith("lines "))
        {
            int n = 0;
            for (int i = 6; i < mode.Length && mode[i] >= '0' && mode[i] <= '9'; i++) n = n * 10 + (mode[i] - '0');
            Lines(console, n);
        }
        else if (mode == "wrong") Wrong(console);
        else { Debug.WriteLine("consoleclients: unknown mode '" + mode + "'"); return 2; }
        console.Close();
        return 0;
    }

    // Each line is long (longer than one piece of the kernel log's write and of the service's
    // print) and made of this SIP's own letter, so a line split by another writer's text shows.
    private static void Lines(Console console, int n)
    {
        char letter = (char)('a' + Sip.Id % 26);
        var letters = new byte[700];
        for (int i = 0; i < letters.Length; i++) letters[i] = (byte)letter;
        string body = string.FromAscii(letters);
        for (int i = 1; i <= n; i++)
            console.WriteLine("line " + Sip.Id.ToString() + "." + i.ToString() + " <" + body + ">");
        console.WriteLine("consoleclients#" + Sip.Id.ToString() + ": wrote " + n.ToString() + " lines");
    }

    // A client that wrapped its channel to the console with another contract: the console must
    // fail only that channel.
    private static void Wrong(Console console)
    {
        // EchoContract's Bye is a message the console's state never allows.
        EchoContract.Bind(Console.ServiceName, out EchoContract.Imp echo);
        if (echo == null)
        {
            Debug.WriteLine("consoleclients: FAILED no console service to bind");
            return;
        }
        echo.SendBye();
        Debug.WriteLine("consoleclients: sent Bye as an EchoContract client");
        echo.Close();

        // EchoListenerContract's Connect has Write's tag but carries an endpoint, not a buffer.
        EchoListenerContract.Bind(Console.ServiceName, out EchoListenerContract.Imp forger);
        if (forger == null) { Debug.WriteLine("consoleclients: FAILED second bind"); return; }
        EchoContract.NewChannel(out EchoContract.Imp carriedImp, out EchoContract.Exp carried);
        forger.SendConnect(carried);
        // The console drops what the bad message carried: the carried channel's peer goes away.
        carriedImp.SendPing(1, ExBuffer.Allocate(8));
        ReceiveResult r = carriedImp.RecvPong(out int seq, out ExBuffer payload, 5000);
        if (!payload.IsNull) payload.Free();
        Debug.WriteLine("consoleclients: the carried channel " + (r == ReceiveResult.ChannelClosed ? "was closed by the console" : "was NOT closed"));
        carriedImp.Close();
        forger.Close();

        console.WriteLine("consoleclients: the console still serves");
    }
}
