using System;
using Singularity.Channels;
using Singularity.Contracts;
using Singularity.Hosted;
using Xunit;

namespace Singularity.Tests.Hosted;

/// <summary>Hosted mode (issue 15): a SIP's Main on .NET with the SIP API, no stubs.</summary>
public class HostedSipTests
{
    private const int Patience = 10_000;

    private static string UniqueName(string what) => "/test/" + what + "/" + Guid.NewGuid().ToString("N");

    [Fact]
    public void MainRunsWithItsNameIdArgumentsQuotaAndLogAndItsThreadsAreItsOwn()
    {
        HostedSip sip = HostedSip.Run("greeter", Greeter.Main, "a b", Patience);
        Assert.Equal(7, sip.ExitCode);
        Assert.Null(sip.Failure);
        Assert.Contains("greeter: greeter#" + sip.Id + " args 'a b' quota " + (3 * 1024 * 1024), sip.Output);
        Assert.Contains("greeter thread: greeter#" + sip.Id, sip.Output);
        HostedSip other = HostedSip.Run("greeter", Greeter.Main, "", Patience);
        Assert.NotEqual(sip.Id, other.Id);
        Assert.DoesNotContain("args 'a b'", other.Output);
    }

    [Fact]
    public void SipExitEndsMainWithItsCodeAfterItsFinallyBlocks()
    {
        HostedSip sip = HostedSip.Run("quitter", Quitter.Main, "", Patience);
        Assert.Equal(3, sip.ExitCode);
        Assert.Contains("quitter: finally ran", sip.Output);
        Assert.DoesNotContain("after Exit", sip.Output);
    }

    [Fact]
    public void AnUnhandledExceptionFailsThatSipOnly()
    {
        HostedSip sip = HostedSip.Run("thrower", Thrower.Main, "", Patience);
        Assert.Equal(-1, sip.ExitCode);
        Assert.IsType<InvalidOperationException>(sip.Failure);
        Assert.Contains("sip thrower#" + sip.Id + " failed: InvalidOperationException: thrower gives up", sip.Output);
    }

    [Fact]
    public void ConsoleInputIsWhatTheTestTypesAndTheConsoleClientWritesToTheLog()
    {
        HostedSip sip = HostedSip.Start("echoer", Echoer.Main);
        sip.Type("one");
        sip.Type("two");
        sip.EndInput();
        Assert.True(sip.Wait(Patience));
        Assert.Equal(0, sip.ExitCode);
        Assert.Equal("echo: one\necho: two\n", sip.Output);
    }

    [Fact]
    public void AnExportIsRegisteredBeforeMainAndItsListenerTakenOnce()
    {
        string name = UniqueName("exports");
        HostedSip sip = HostedSip.Start("exporter", Exporter.Main, name, exports: new[] { name });
        Assert.True(EchoContract.Bind(name, out EchoContract.Imp client, Patience));
        client.SendPing(9, ExBuffer.Allocate(8));
        Assert.Equal(EchoContract.Imp.Tag.Pong, client.Receive(out EchoContract.Imp.Message reply, Patience));
        reply.TakePong(out int seq, out ExBuffer back);
        back.Free();
        Assert.Equal(10, seq);
        client.Close();
        Assert.True(sip.Wait(Patience));
        Assert.Equal(0, sip.ExitCode);
    }

    [Fact]
    public void AnImportIsBoundBeforeMain()
    {
        string name = UniqueName("imports");
        Assert.True(EchoContract.Listener.TryRegister(name, out EchoContract.Listener listener));
        HostedSip sip = HostedSip.Start("importer", Importer.Main, name, imports: new[] { name });
        Assert.Equal(ReceiveResult.Message, listener.Accept(out EchoContract.Exp server, Patience));
        Assert.Equal(ReceiveResult.Message, server.RecvPing(out int seq, out ExBuffer payload, Patience));
        server.SendPong(seq + 1, payload);
        Assert.True(sip.Wait(Patience));
        Assert.Equal(0, sip.ExitCode);
        Assert.Contains("importer: pong 42", sip.Output);
        server.Close();
        listener.Close();
    }

    [Fact]
    public void AnImportNoServiceRegisteredRefusesTheStartAndMainNeverRuns()
    {
        string name = UniqueName("missing");
        var e = Assert.Throws<InvalidOperationException>(() => HostedSip.Start("importer", Importer.Main, name, imports: new[] { name }));
        Assert.Contains("cannot import " + name, e.Message);
    }

    [Fact]
    public void AnExportOfATakenNameRefusesTheStart()
    {
        string name = UniqueName("taken");
        Assert.True(ServiceListener.TryRegister(name, out ServiceListener holder));
        var e = Assert.Throws<InvalidOperationException>(() => HostedSip.Start("exporter", Exporter.Main, name, exports: new[] { name }));
        Assert.Contains("cannot export " + name, e.Message);
        holder.Close();
    }
}
