using System;
using Singularity;
using Singularity.Channels;
using Singularity.Ipc;      // Exchange.BytesOwned
using Singularity.Threading;

// The bystander of the hostile-SIP suite (Tests/Kernel.Tests/Hostile*.cs): every 100 ms it
// checks that its heap still holds what it wrote there, sends its one exchange block through a
// channel of its own and checks what comes back, and prints "bystander#ID: round N ok". An
// attacker that reached its memory, its block or its channel shows as "bystander: CORRUPT ...";
// one that broke the kernel shows as missing rounds.
public static class Program
{
    private sealed class Node
    {
        public Node Next;
        public long Value;
        public string Text;
    }

    public static int Main()
    {
        string me = "bystander#" + Sip.Id.ToString();
        var pattern = new byte[64 * 1024];
        for (int i = 0; i < pattern.Length; i++) pattern[i] = (byte)(i * 7 + 3);
        Node head = null;
        for (int i = 0; i < 1000; i++) head = new Node { Next = head, Value = i * 31L, Text = i.ToString() };
        Wire.NewChannel(out Wire a, out Wire b);
        // One buffer for the whole run, so the exchange heap's baseline is constant.
        ExBuffer block = ExBuffer.Allocate(256);
        try
        {
            for (long round = 1; ; round++)
            {
                // The buffer is this SIP's for the whole run; a check that throws gives it back first.
                string problem;
                try { problem = CheckHeap(pattern, head); }
                catch { block.Free(); throw; }
                if (problem == null) block = RoundTrip(a, b, block, round, out problem);
                if (problem != null)
                {
                    Debug.WriteLine("bystander: CORRUPT " + problem + " (" + me + ", round " + round.ToString() + ")");
                    block.Free();
                    return 1;
                }
                // What an attacker must not take from it: a new channel and a new buffer each round.
                string refused;
                try { refused = FreshChannelAndBlock(round); }
                catch { block.Free(); throw; }
                if (refused != null) Debug.WriteLine("bystander: REFUSED " + refused + " (" + me + ", round " + round.ToString() + ")");
                else Debug.WriteLine(me + ": round " + round.ToString() + " ok");
                Thread.Sleep(100);
            }
        }
        finally { a.Close(); b.Close(); }
    }

    private static string CheckHeap(byte[] pattern, Node head)
    {
        for (int i = 0; i < pattern.Length; i++)
            if (pattern[i] != (byte)(i * 7 + 3)) return "heap byte " + i.ToString() + " changed";
        int n = 999;
        for (Node p = head; p != null; p = p.Next, n--)
            if (p.Value != n * 31L || p.Text != n.ToString()) return "heap object " + n.ToString() + " changed";
        return n == -1 ? null : "heap list lost nodes (stopped at " + n.ToString() + ")";
    }

    // The buffer goes out and comes back each round; the one returned is the one that came back
    // (or, on a problem, a new one: the caller always owns one).
    private static ExBuffer RoundTrip(Wire a, Wire b, [Claims] ExBuffer block, long round, out string problem)
    {
        block.WriteInt64(0, round);
        block.WriteInt64(248, ~round);
        var m = new MessageFrame { Tag = 7 };
        m.Put<long>(round);
        m.PutBuffer(block);
        problem = SendAndReceive(a, b, ref m, out MessageFrame r);
        if (problem != null) return ExBuffer.Allocate(256);
        if (r.Tag != 7 || r.Take<long>() != round || !r.Carries("B"))
        {
            problem = "its message came back changed";
            return ExBuffer.Allocate(256);
        }
        ExBuffer back = r.TakeBuffer();
        if (back.Length != 256 || back.ReadInt64(0) != round || back.ReadInt64(248) != ~round) problem = "its exchange block came back changed";
        else if (Exchange.BytesOwned != 256) problem = "it owns " + Exchange.BytesOwned.ToString() + " exchange bytes, not 256";
        return back;
    }

    // A refused send closes the endpoint and throws; the receive must bring the message back.
    private static string SendAndReceive(Wire a, Wire b, ref MessageFrame m, out MessageFrame r)
    {
        r = default;
        try { a.Send(ref m); }
        catch (ProtocolViolationException e) { return "send on its own channel: " + e.Message; }
        ReceiveResult got = b.Receive(out r, 1000);
        return got == ReceiveResult.Message ? null : "receive on its own channel: " + (got == ReceiveResult.TimedOut ? "TimedOut" : "ChannelClosed");
    }

    // A channel and a buffer made, used and given back; null, or what the kernel refused.
    private static string FreshChannelAndBlock(long round)
    {
        try { return FreshChannel(round); }
        catch (OutOfMemoryException e) { return "a new channel or exchange block (" + e.Message + ")"; }
    }

    private static string FreshChannel(long round)
    {
        Wire.NewChannel(out Wire wc, out Wire wd);
        try { return SendFresh(wc, wd, round); }
        finally { wc.Close(); wd.Close(); }
    }

    private static string SendFresh(Wire wc, Wire wd, long round)
    {
        ExBuffer fresh = ExBuffer.Allocate(64);
        try { fresh.WriteInt64(0, round); }
        catch { fresh.Free(); throw; }
        var m = new MessageFrame { Tag = 9 };
        m.PutBuffer(fresh);
        if (SendAndReceive(wc, wd, ref m, out MessageFrame r) != null || !r.Carries("B")) return "a message on a new channel";
        ExBuffer back = r.TakeBuffer();
        string problem = back.ReadInt64(0) != round ? "a new block's contents" : null;
        back.Free();
        return problem;
    }
}
