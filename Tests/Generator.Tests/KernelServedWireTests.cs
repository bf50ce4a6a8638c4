using System.Reflection;
using Singularity.Abi;
using Singularity.Channels;
using Singularity.Contracts;

namespace Singularity.Tests.Generator;

/// <summary>
/// The kernel serves ProcessManagerContract from Kernel/Abi/ProcessManagerWire.cs (and
/// ConsoleInputContract from ConsoleInputWire.cs) (it cannot
/// reference the contracts assembly), and the runtime's Processes speaks the same constants:
/// tags, handle kinds and the order and types of each message's data must agree with what the
/// generator makes of the contract (data is packed in parameter order, MessageFrame.Put).
/// </summary>
public class KernelServedWireTests
{
    private static string? Kinds(Type side, int tag) =>
        (string?)side.GetMethod("HandleKinds", BindingFlags.NonPublic | BindingFlags.Static)!.Invoke(null, new object[] { tag });

    private static Type[] Parameters(Type side, string send) =>
        side.GetMethod(send)!.GetParameters().Select(p => p.ParameterType).ToArray();

    [Fact]
    public void TheKernelsLayoutAgreesWithProcessManagerContract()
    {
        Type imp = typeof(ProcessManagerContract.Imp), exp = typeof(ProcessManagerContract.Exp);
        // Requests (the client sends, the kernel receives) and replies.
        Assert.Equal(ProcessManagerWire.StartTag, (int)ProcessManagerContract.Exp.Tag.Start);
        Assert.Equal(ProcessManagerWire.WaitTag, (int)ProcessManagerContract.Exp.Tag.Wait);
        Assert.Equal(ProcessManagerWire.KillTag, (int)ProcessManagerContract.Exp.Tag.Kill);
        Assert.Equal(ProcessManagerWire.ListTag, (int)ProcessManagerContract.Exp.Tag.List);
        Assert.Equal(ProcessManagerWire.StartedTag, (int)ProcessManagerContract.Imp.Tag.Started);
        Assert.Equal(ProcessManagerWire.WaitedTag, (int)ProcessManagerContract.Imp.Tag.Waited);
        Assert.Equal(ProcessManagerWire.KilledTag, (int)ProcessManagerContract.Imp.Tag.Killed);
        Assert.Equal(ProcessManagerWire.ListedTag, (int)ProcessManagerContract.Imp.Tag.Listed);

        Assert.Equal(ProcessManagerWire.StartHandles, Kinds(exp, ProcessManagerWire.StartTag));
        Assert.Equal(ProcessManagerWire.WaitHandles, Kinds(exp, ProcessManagerWire.WaitTag));
        Assert.Equal(ProcessManagerWire.KillHandles, Kinds(exp, ProcessManagerWire.KillTag));
        Assert.Equal(ProcessManagerWire.ListHandles, Kinds(exp, ProcessManagerWire.ListTag));
        Assert.Equal(ProcessManagerWire.StartedHandles, Kinds(imp, ProcessManagerWire.StartedTag));
        Assert.Equal(ProcessManagerWire.WaitedHandles, Kinds(imp, ProcessManagerWire.WaitedTag));
        Assert.Equal(ProcessManagerWire.KilledHandles, Kinds(imp, ProcessManagerWire.KilledTag));
        Assert.Equal(ProcessManagerWire.ListedHandles, Kinds(imp, ProcessManagerWire.ListedTag));

        // The data the kernel reads at fixed offsets: int @0 (Start, Kill), int @0 + long @4 (Wait);
        // and writes: int @0 (Started, Killed, Listed), int @0 + int @4 (Waited).
        Assert.Equal(new[] { typeof(int), typeof(ExBuffer) }, Parameters(imp, "SendStart"));
        Assert.Equal(new[] { typeof(int), typeof(long) }, Parameters(imp, "SendWait"));
        Assert.Equal(new[] { typeof(int) }, Parameters(imp, "SendKill"));
        Assert.Equal(new[] { typeof(ExBuffer) }, Parameters(imp, "SendList"));
        Assert.Equal(new[] { typeof(int) }, Parameters(exp, "SendStarted"));
        Assert.Equal(new[] { typeof(int), typeof(int) }, Parameters(exp, "SendWaited"));
        Assert.Equal(new[] { typeof(int) }, Parameters(exp, "SendKilled"));
        Assert.Equal(new[] { typeof(int), typeof(ExBuffer) }, Parameters(exp, "SendListed"));
    }

    [Fact]
    public void TheKernelsConsoleInputLayoutAgreesWithConsoleInputContract()
    {
        // Kernel/Abi/ConsoleInputWire.cs: Read (long timeoutNs @0, a lent block), Input (int count @0, the block back).
        Type imp = typeof(ConsoleInputContract.Imp), exp = typeof(ConsoleInputContract.Exp);
        Assert.Equal(ConsoleInputWire.ReadTag, (int)ConsoleInputContract.Exp.Tag.Read);
        Assert.Equal(ConsoleInputWire.InputTag, (int)ConsoleInputContract.Imp.Tag.Input);
        Assert.Equal(ConsoleInputWire.ReadHandles, Kinds(exp, ConsoleInputWire.ReadTag));
        Assert.Equal(ConsoleInputWire.InputHandles, Kinds(imp, ConsoleInputWire.InputTag));
        Assert.Equal(new[] { typeof(ExBuffer), typeof(long) }, Parameters(imp, "SendRead"));
        Assert.Equal(new[] { typeof(int), typeof(ExBuffer) }, Parameters(exp, "SendInput"));
    }

    [Fact]
    public void ARequestAndItsReplyRoundTripOnTheGeneratedEndpoints()
    {
        // What the kernel does for one Wait, played by the generated Exp on the hosted runtime.
        ProcessManagerContract.NewChannel(out ProcessManagerContract.Imp client, out ProcessManagerContract.Exp server);
        client.SendWait(42, 5_000_000_000);
        Assert.Equal(ReceiveResult.Message, server.RecvWait(out int id, out long timeoutNs, 10_000));
        Assert.Equal(42, id);
        Assert.Equal(5_000_000_000, timeoutNs);
        server.SendWaited(ProcessManagerWire.Failed, 7);
        Assert.Equal(ReceiveResult.Message, client.RecvWaited(out int result, out int code, 10_000));
        Assert.Equal(ProcessManagerWire.Failed, result);
        Assert.Equal(7, code);
        client.Close();
        server.Close();
    }
}
