using System.Reflection;
using Singularity.Abi;
using Singularity.Channels;
using Singularity.Contracts;

namespace Singularity.Tests.Generator;

/// <summary>
/// The generated name-service surface (FooContract.Bind, FooContract.Listener) on the hosted
/// runtime, a peer that breaks the contract failing only its own channel, and the kernel's
/// wire layout of the name service's Connect agreeing with NameServiceContract.
/// </summary>
public class NamedServiceTests
{
    private const int Patience = 10_000;

    private static string UniqueName(string what) => "/test/" + what + "/" + Guid.NewGuid().ToString("N");

    [Fact]
    public void BindingANameGivesATypedEndpointThatWorks()
    {
        string name = UniqueName("console");
        Assert.True(ConsoleContract.Listener.TryRegister(name, out ConsoleContract.Listener? listener));
        Assert.False(ConsoleContract.Listener.TryRegister(name, out _), "a name is registered once");
        Assert.True(ConsoleContract.Bind(name, out ConsoleContract.Imp? client));
        Assert.Equal(ReceiveResult.Message, listener!.Accept(out ConsoleContract.Exp? server, Patience));

        ExBuffer text = ExBuffer.Allocate(8);
        text.WriteInt64(0, 0x0A6F6C6C6568);   // "hello\n"
        client!.SendWrite(text);
        Assert.Equal(ReceiveResult.Message, server!.RecvWrite(out ExBuffer got, Patience));
        Assert.Equal(0x0A6F6C6C6568, got.ReadInt64(0));
        got.Free();
        server.SendAck();
        Assert.Equal(ReceiveResult.Message, client.RecvAck(Patience));
        client.Close();
        Assert.Equal(ReceiveResult.ChannelClosed, server.RecvWrite(out _, Patience));
        server.Close();
        listener.Close();
        Assert.False(ConsoleContract.Bind(name, out ConsoleContract.Imp? none), "a closed listener's name is free");
        Assert.Null(none);
    }

    [Fact]
    public void AClientStartedBeforeItsServiceBindsOnceTheServiceRegisters()
    {
        string name = UniqueName("late");
        ConsoleContract.Listener? listener = null;
        var service = new Thread(() =>
        {
            Thread.Sleep(200);
            Assert.True(ConsoleContract.Listener.TryRegister(name, out listener));
        });
        service.Start();
        Assert.True(ConsoleContract.Bind(name, out ConsoleContract.Imp? client, Patience), "the waiting bind gave up before the service registered");
        service.Join();
        Assert.Equal(ReceiveResult.Message, listener!.Accept(out ConsoleContract.Exp? server, Patience));
        client!.Close();
        Assert.Equal(ReceiveResult.ChannelClosed, server!.RecvWrite(out _, Patience));
        server.Close();
        listener.Close();
    }

    [Fact]
    public void AWaitingBindGivesUpAfterItsTimeout()
    {
        Assert.False(EchoContract.Bind(UniqueName("never"), out EchoContract.Imp? imp, 50));
        Assert.Null(imp);
    }

    [Fact]
    public void BindingAnUnknownNameFails()
    {
        Assert.False(EchoContract.Bind(UniqueName("nobody"), out EchoContract.Imp? imp));
        Assert.Null(imp);
    }

    [Fact]
    public void AClientOfTheWrongContractFailsOnlyItsOwnChannel()
    {
        string name = UniqueName("console");
        Assert.True(ConsoleContract.Listener.TryRegister(name, out ConsoleContract.Listener? listener));

        // An EchoContract client on the console's name: its Bye (tag 1) is a message the
        // console's Ready state does not allow.
        Assert.True(EchoContract.Bind(name, out EchoContract.Imp? wrong));
        wrong!.SendBye();
        Assert.Equal(ReceiveResult.Message, listener!.Accept(out ConsoleContract.Exp? victim, Patience));
        Assert.Equal(ReceiveResult.ChannelClosed, victim!.RecvWrite(out ExBuffer none, Patience));
        Assert.True(none.IsNull);
        Assert.True(victim.IsClosed, "the service's end of the bad channel is closed");

        // A message with the right tag but the wrong handles (an endpoint where Write carries a buffer).
        Assert.True(EchoListenerContract.Bind(name, out EchoListenerContract.Imp? forger));
        EchoContract.NewChannel(out EchoContract.Imp carriedImp, out EchoContract.Exp carried);
        forger!.SendConnect(carried);
        Assert.Equal(ReceiveResult.Message, listener.Accept(out ConsoleContract.Exp? victim2, Patience));
        Assert.Equal(ConsoleContract.Exp.Tag.ChannelClosed, victim2!.Receive(out _, Patience));
        Assert.True(victim2.IsClosed);
        // What the bad message carried was released: the carried channel's other end sees its peer gone.
        carriedImp.SendPing(1, ExBuffer.Allocate(8));
        Assert.Equal(ReceiveResult.ChannelClosed, carriedImp.RecvPong(out _, out _, Patience));
        carriedImp.Close();

        // The service goes on: a proper client is served on the same listener.
        Assert.True(ConsoleContract.Bind(name, out ConsoleContract.Imp? good));
        Assert.Equal(ReceiveResult.Message, listener.Accept(out ConsoleContract.Exp? server, Patience));
        good!.SendWrite(ExBuffer.Allocate(1));
        Assert.Equal(ReceiveResult.Message, server!.RecvWrite(out ExBuffer b, Patience));
        b.Free();
        server.SendAck();
        Assert.Equal(ReceiveResult.Message, good.RecvAck(Patience));
        good.Close();
        server.Close();
        wrong.Close();
        forger.Close();
        listener.Close();
    }

    [Fact]
    public void TheKernelsConnectLayoutAgreesWithNameServiceContract()
    {
        // The kernel writes Connect from Kernel/Abi/NameServiceWire.cs; the service reads it as the
        // generated NameServiceContract.Exp would. Tag, handle kinds and data size must agree.
        Assert.Equal(NameServiceWire.ConnectTag, (int)NameServiceContract.Exp.Tag.Connect);
        MethodInfo kinds = typeof(NameServiceContract.Exp).GetMethod("HandleKinds", BindingFlags.NonPublic | BindingFlags.Static)!;
        Assert.Equal(NameServiceWire.ConnectHandles, (string?)kinds.Invoke(null, new object[] { NameServiceWire.ConnectTag }));
        // No data: the only parameter of Connect is the untyped channel end.
        ParameterInfo[] ps = typeof(NameServiceContract.Imp).GetMethod("SendConnect")!.GetParameters();
        Assert.Single(ps);
        Assert.Equal(typeof(EndpointHandle), ps[0].ParameterType);
        Assert.Equal(0, NameServiceWire.ConnectDataBytes);
        // And the generated Exp receives exactly that message: a Connect carrying one channel end.
        NameServiceContract.NewChannel(out NameServiceContract.Imp kernelSide, out NameServiceContract.Exp listener);
        EndpointHandle.CreateChannel(out EndpointHandle clientEnd, out EndpointHandle serviceEnd);
        kernelSide.SendConnect(serviceEnd);
        Assert.Equal(ReceiveResult.Message, listener.RecvConnect(out EndpointHandle arrived, Patience));
        EchoContract.Exp typed = EchoContract.Exp.FromHandle(arrived, null);
        EchoContract.Imp client = EchoContract.Imp.FromHandle(clientEnd, null);
        client.SendBye();
        Assert.Equal(EchoContract.Exp.Tag.Bye, typed.Receive(out _, Patience));
        typed.Close();
        client.Close();
        kernelSide.Close();
        listener.Close();
    }
}
