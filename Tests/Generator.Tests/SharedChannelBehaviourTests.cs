using Singularity.Channels;
using Singularity.Contracts;
using Singularity.Ipc;
using Singularity.Tests.Generator.Contracts;

namespace Singularity.Tests.Generator;

/// <summary>
/// The behaviour the two channel transports share (docs/channels.md, "One runtime, two transports"),
/// pinned on the hosted one: the endpoint layer above is the same source on both, and the hosted
/// transport keeps the kernel's rules for handles. The kernel's side of each rule is shown by
/// QEMU tests: Tests/Kernel.Tests/ContractTests (contractping violations), RuntimeHardeningTests
/// (frameforger) and the hostile suites (double sends, forged and stale handles).
/// </summary>
public class SharedChannelBehaviourTests
{
    private const int Patience = 10_000;

    [Fact]
    public void AViolationClosesTheEndpointAndThrowsACatchableException()
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
        client.SendPing(1, ExBuffer.Allocate(8));
        var e = Assert.Throws<ProtocolViolationException>(() => client.SendBye());   // Start#1 waits for Pong or Busy
        Assert.Equal("EchoContract.Imp: SendBye is not allowed in state Start#1", e.Message);
        Assert.True(client.IsClosed);
        // Caught, the violator holds a closed endpoint: every further use is a violation too.
        e = Assert.Throws<ProtocolViolationException>(() => client.Receive(out _, 0));
        Assert.Equal("EchoContract.Imp: use of a closed or sent endpoint (state Start#1)", e.Message);
        client.Close();   // closing a closed endpoint does nothing
        // The peer drains what was queued, then sees ChannelClosed, as when a SIP fails.
        Assert.Equal(ReceiveResult.Message, server.RecvPing(out int seq, out ExBuffer b, Patience));
        Assert.Equal(1, seq);
        server.SendPong(seq, b);   // to a closed peer: not an error
        Assert.Equal(EchoContract.Exp.Tag.ChannelClosed, server.Receive(out _, Patience));
    }

    // A peer's end seen raw: sends a frame with any tag, as a faulty or hostile peer's code would.
    private sealed class TagForger : Endpoint
    {
        private TagForger(EndpointHandle handle) : base(handle, 0) { }
        public static TagForger Of(Endpoint end) => new TagForger(DetachHandle(end));
        public void SendTag(int tag)
        {
            MessageFrame frame = default(MessageFrame);
            frame.Tag = tag;
            SendFrame(ref frame);
        }
    }

    [Theory]
    [InlineData(-1)]        // the tag a campaign mutant sent (keyboard mutant 696): once the generator's "any message" sentinel
    [InlineData(99)]        // no message of the contract
    [InlineData(3)]         // Bye: a message of the contract, but one only the exporter receives
    public void AMessageTheStateCannotReceiveIsThePeersFaultAndClosesOnlyTheChannel(int tag)
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
        var peer = TagForger.Of(server);
        client.SendPing(1, ExBuffer.Allocate(8));
        peer.SendTag(tag);
        // RecvPong: not a violation of the client's (no exception), the channel is closed.
        Assert.Equal(ReceiveResult.ChannelClosed, client.RecvPong(out _, out ExBuffer none, Patience));
        Assert.True(none.IsNull);
        Assert.True(client.IsClosed);
        peer.Close();

        // The same through Receive's switch.
        EchoContract.NewChannel(out EchoContract.Imp client2, out EchoContract.Exp server2);
        var peer2 = TagForger.Of(server2);
        client2.SendPing(1, ExBuffer.Allocate(8));
        peer2.SendTag(tag);
        Assert.Equal(EchoContract.Imp.Tag.ChannelClosed, client2.Receive(out _, Patience));
        Assert.True(client2.IsClosed);
        peer2.Close();
    }

    [Fact]
    public void AReceiveTheStateDoesNotAllowIsAViolationBeforeWaiting()
    {
        JobContract.NewChannel(out JobContract.Imp client, out JobContract.Exp worker);
        var e = Assert.Throws<ProtocolViolationException>(() => worker.SendProgress(1));
        Assert.Contains("SendProgress", e.Message);
        Assert.True(worker.IsClosed);
        Assert.Equal(JobContract.Imp.Tag.ChannelClosed, client.Receive(out _, Patience));
    }

    [Fact]
    public void AMessageCarryingABlockTheSenderNoLongerOwnsIsRefused()
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
        ExBuffer b = ExBuffer.Allocate(8);
        ExBuffer stale = b;
        b.Free();
        // The transport refuses the message (BadMessage on the kernel); the endpoint layer calls it a violation.
        var e = Assert.Throws<ProtocolViolationException>(() => client.SendPing(1, stale));
        Assert.Contains("the message was refused", e.Message);
        Assert.Equal(ReceiveResult.ChannelClosed, server.RecvPing(out _, out _, Patience));
    }

    [Fact]
    public void ASendToAClosedPeerIsNotAnErrorAndReleasesWhatItCarried()
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
        server.Close();
        ExBuffer b = ExBuffer.Allocate(8);
        ExBuffer copy = b;
        client.SendPing(1, b);
        Assert.Throws<InvalidOperationException>(() => copy.ReadInt64(0));   // freed, not leaked to anyone
        Assert.Equal(ReceiveResult.ChannelClosed, client.RecvPong(out _, out _, Patience));
        client.Close();   // Start#1 is not closable, but once the peer is known gone any state is
    }

    [Fact]
    public void CloseOutsideAClosableStateIsAViolationWhileThePeerIsThere()
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
        client.SendPing(1, ExBuffer.Allocate(8));
        var e = Assert.Throws<ProtocolViolationException>(() => client.Close());
        Assert.Equal("EchoContract.Imp: Close() is not allowed in state Start#1", e.Message);
        Assert.True(client.IsClosed);   // closed all the same: the peer is not left waiting
        ServerGetsThePingThenChannelClosed(server);
    }

    [Fact]
    public void AClientMayGiveUpOnAPeerThatDoesNotAnswerInTime()
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
        client.SendPing(1, ExBuffer.Allocate(8));
        // No Pong comes: the receive times out in Start#1, which is not closable; giving up is allowed.
        Assert.Equal(EchoContract.Imp.Tag.TimedOut, client.Receive(out _, 10));
        client.Close();
        Assert.True(client.IsClosed);
        ServerGetsThePingThenChannelClosed(server);
    }

    [Fact]
    public void AnAnswerAfterATimeOutRestoresTheProtocolsCloseRule()
    {
        EchoContract.NewChannel(out EchoContract.Imp client, out EchoContract.Exp server);
        client.SendPing(1, ExBuffer.Allocate(8));
        Assert.Equal(EchoContract.Imp.Tag.TimedOut, client.Receive(out _, 10));
        Assert.Equal(ReceiveResult.Message, server.RecvPing(out _, out ExBuffer b, Patience));
        server.SendPong(1, b);
        Assert.Equal(ReceiveResult.Message, client.RecvPong(out _, out ExBuffer back, Patience));
        back.Free();
        client.SendPing(2, ExBuffer.Allocate(8));   // Start#1 again, and no time-out since the answer
        var e = Assert.Throws<ProtocolViolationException>(() => client.Close());
        Assert.Equal("EchoContract.Imp: Close() is not allowed in state Start#1", e.Message);
        ServerGetsThePingThenChannelClosed(server);
    }

    // The server still gets the Ping the client sent before it closed, then ChannelClosed.
    private static void ServerGetsThePingThenChannelClosed(EchoContract.Exp server)
    {
        Assert.Equal(ReceiveResult.Message, server.RecvPing(out _, out ExBuffer b, Patience));
        b.Free();
        Assert.Equal(EchoContract.Exp.Tag.ChannelClosed, server.Receive(out _, Patience));
        server.Close();
    }

    [Fact]
    public void AFrameHoldsSixtyFourBytesAndFourHandles()
    {
        MessageFrame f = default;
        for (int i = 0; i < 8; i++) f.Put<long>(i);
        Assert.Throws<InvalidOperationException>(() => f.Put<byte>(1));
        for (int i = 0; i < 8; i++) Assert.Equal(i, f.Take<long>());
        Assert.Throws<InvalidOperationException>(() => f.Take<byte>());

        var blocks = new ExBuffer[5];
        for (int i = 0; i < 5; i++) blocks[i] = ExBuffer.Allocate(8);
        for (int i = 0; i < 4; i++) f.PutBuffer(blocks[i]);
        Assert.Throws<InvalidOperationException>(() => f.PutBuffer(blocks[4]));
        for (int i = 0; i < 4; i++) f.TakeBuffer().Free();
        Assert.Throws<IndexOutOfRangeException>(() => f.TakeBuffer());
        blocks[4].Free();
    }

    [Fact]
    public void SelectRefusesClosedEndpointsAndCountsOutsideOneToSixtyFour()
    {
        StreamContract.NewChannel(out StreamContract.Imp w, out StreamContract.Exp r);
        w.Close();
        Assert.Throws<ArgumentException>(() => EndpointSet.Select(new Endpoint[] { r, w }, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RawEndpoint.Select(new RawEndpoint[0], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RawEndpoint.Select(new RawEndpoint[65], 0));
        r.Close();
    }

    // ---- the transport's handle rules (the kernel's: docs/channels.md, "Channels") ----

    [Fact]
    public void TheTransportRefusesABlockSentTwice()
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        ExBlock block = ExBlock.Allocate(16);
        var m = new RawMessage { Tag = 1 };
        m.Add(block);
        Assert.Equal(RecvStatus.Ok, a.Send(ref m, 0));
        var again = new RawMessage { Tag = 2 };
        again.Add(block);
        Assert.Equal(RecvStatus.BadMessage, a.Send(ref again, 0));
        Assert.Throws<InvalidOperationException>(() => block.Length);   // in flight: nobody's
        Assert.Equal(RecvStatus.Ok, b.Receive(out RawMessage got, 0));
        Assert.Equal(1, got.Tag);
        ExBlock mine = got.GetBlock(0);
        Assert.Equal(16, mine.Length);
        Assert.Throws<InvalidOperationException>(() => block.Length);   // the sender's copy stays dead
        mine.Free();
        Assert.Equal(RecvStatus.TimedOut, b.Receive(out _, 0));         // the refused message never arrived
        a.Close();
        b.Close();
    }

    [Fact]
    public void TheTransportRefusesDuplicatesAndAChannelsOwnEnds()
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        ExBlock block = ExBlock.Allocate(8);
        var twice = new RawMessage();
        twice.Add(block);
        twice.Add(block);
        Assert.Equal(RecvStatus.BadMessage, a.Send(ref twice, 0));
        var own = new RawMessage();
        own.Add(b);
        Assert.Equal(RecvStatus.BadMessage, a.Send(ref own, 0));
        var self = new RawMessage();
        self.Add(a);
        Assert.Equal(RecvStatus.BadMessage, a.Send(ref self, 0));
        Assert.Equal(8, block.Length);   // a refused message moves nothing
        block.Free();
        a.Close();
        b.Close();
    }

    [Fact]
    public void AnEndpointThatTravelledOrClosedIsABadHandle()
    {
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        RawEndpoint.CreateChannel(out RawEndpoint c, out RawEndpoint d);
        var m = new RawMessage();
        m.Add(c);
        Assert.Equal(RecvStatus.Ok, a.Send(ref m, 0));
        var empty = new RawMessage();
        Assert.Equal(RecvStatus.BadHandle, c.Send(ref empty, 0));      // it left with the message
        Assert.Equal(RecvStatus.Ok, b.Receive(out RawMessage got, 0));
        RawEndpoint moved = got.GetEndpoint(0);
        Assert.Equal(RecvStatus.Ok, moved.Send(ref empty, 0));         // its new holder uses it
        Assert.Equal(RecvStatus.Ok, d.Receive(out _, 0));
        Assert.Equal(RecvStatus.BadHandle, c.Receive(out _, 0));       // the old copy stays dead
        moved.Close();
        Assert.Equal(RecvStatus.Closed, d.Receive(out _, 0));
        Assert.Equal(RecvStatus.BadHandle, moved.Send(ref empty, 0));  // closed
        a.Close();
        b.Close();
        d.Close();
    }
}
