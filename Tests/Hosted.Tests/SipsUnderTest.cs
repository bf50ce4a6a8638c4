using System;
using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

[assembly: SipManifest("greeter", HeapQuotaMiB = 3)]
[assembly: SipManifest("exporter")]

namespace Singularity.Tests.Hosted
{
    // SIP code as a SIP would write it, run by the tests as hosted SIPs.

    public static class Greeter
    {
        public static int Main()
        {
            Debug.WriteLine("greeter: " + Sip.Name + "#" + Sip.Id.ToString() + " args '" + Sip.Arguments + "' quota " + Sip.HeapQuota.ToString());
            var worker = Threading.Thread.Start(() => Debug.WriteLine("greeter thread: " + Sip.Name + "#" + Sip.Id.ToString()));
            worker.Join();
            return 7;
        }
    }

    public static class Quitter
    {
        public static int Main()
        {
            try { Sip.Exit(3); }
            finally { Debug.WriteLine("quitter: finally ran"); }
            Debug.WriteLine("quitter: after Exit");
            return 0;
        }
    }

    public static class Thrower
    {
        public static int Main() => throw new InvalidOperationException("thrower gives up");
    }

    public static class Echoer
    {
        public static int Main()
        {
            var console = new Console();
            string line;
            while ((line = ConsoleInput.ReadLine()) != null) console.WriteLine("echo: " + line);
            console.Close();
            return 0;
        }
    }

    /// <summary>A service on its start-up listener (as [Exports] wires it): answers one Ping.</summary>
    public static class Exporter
    {
        public static int Main()
        {
            if (!ServiceListener.TryOpen(Sip.Arguments, out ServiceListener listener)) { Debug.WriteLine("exporter: no start-up listener"); return 1; }
            if (ServiceListener.TryOpen(Sip.Arguments, out _)) { Debug.WriteLine("exporter: the listener was there twice"); return 1; }
            if (listener.Accept(out EndpointHandle connection, 10_000) != ReceiveResult.Message) return 1;
            EchoContract.Exp client = EchoContract.Exp.FromHandle(connection, null);
            if (client.RecvPing(out int seq, out ExBuffer payload, 10_000) != ReceiveResult.Message) { client.Close(); return 1; }
            client.SendPong(seq + 1, payload);
            client.Close();
            listener.Close();
            return 0;
        }
    }

    /// <summary>A client on its start-up import (as [Imports] wires it): pings once.</summary>
    public static class Importer
    {
        public static int Main()
        {
            if (!EndpointHandle.TryTakeStartup(Sip.Arguments, out EndpointHandle handle)) { Debug.WriteLine("importer: no start-up import"); return 1; }
            EchoContract.Imp server = EchoContract.Imp.FromHandle(handle, null);
            server.SendPing(41, ExBuffer.Allocate(8));
            int code = 1;
            if (server.Receive(out EchoContract.Imp.Message reply, 10_000) == EchoContract.Imp.Tag.Pong)
            {
                reply.TakePong(out int seq, out ExBuffer back);
                back.Free();
                Debug.WriteLine("importer: pong " + seq.ToString());
                code = 0;
            }
            server.Close();
            return code;
        }
    }
}
