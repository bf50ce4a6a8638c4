using System;
using Singularity;
using Singularity.Ipc;
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
        RawEndpoint.CreateChannel(out RawEndpoint a, out RawEndpoint b);
        // One block for the whole run, so the exchange heap's baseline is constant.
        ExBlock block = ExBlock.Allocate(256);
        for (long round = 1; ; round++)
        {
            string problem = CheckHeap(pattern, head);
            if (problem == null) problem = RoundTrip(a, b, ref block, round);
            if (problem != null)
            {
                Debug.WriteLine("bystander: CORRUPT " + problem + " (" + me + ", round " + round.ToString() + ")");
                return 1;
            }
            // What an attacker must not take from it: a new channel and a new block each round.
            string refused = FreshChannelAndBlock(round);
            if (refused != null) Debug.WriteLine("bystander: REFUSED " + refused + " (" + me + ", round " + round.ToString() + ")");
            else Debug.WriteLine(me + ": round " + round.ToString() + " ok");
            Thread.Sleep(100);
        }
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

    private static string RoundTrip(RawEndpoint a, RawEndpoint b, ref ExBlock block, long round)
    {
        block.WriteInt64(0, round);
        block.WriteInt64(248, ~round);
        var m = new RawMessage { Tag = 7, D0 = round };
        m.Add(block);
        RecvStatus sent = a.Send(ref m, 1000);
        if (sent != RecvStatus.Ok) return "send on its own channel: " + Name(sent);
        RecvStatus got = b.Receive(out RawMessage r, 1000);
        if (got != RecvStatus.Ok) return "receive on its own channel: " + Name(got);
        if (r.Tag != 7 || r.D0 != round || r.HandleCount != 1 || !r.IsBlock(0)) return "its message came back changed";
        block = r.GetBlock(0);
        if (block.Length != 256 || block.ReadInt64(0) != round || block.ReadInt64(248) != ~round) return "its exchange block came back changed";
        if (Exchange.BytesOwned != 256) return "it owns " + Exchange.BytesOwned.ToString() + " exchange bytes, not 256";
        return null;
    }

    // A channel and a block made, used and given back; null, or what the kernel refused.
    private static string FreshChannelAndBlock(long round)
    {
        RawEndpoint c, d;
        try { RawEndpoint.CreateChannel(out c, out d); }
        catch (OutOfMemoryException) { return "a new channel"; }
        ExBlock fresh;
        try { fresh = ExBlock.Allocate(64); }
        catch (OutOfMemoryException) { c.Close(); d.Close(); return "a new exchange block"; }
        fresh.WriteInt64(0, round);
        var m = new RawMessage { Tag = 9 };
        m.Add(fresh);
        string problem = null;
        if (c.Send(ref m, 1000) != RecvStatus.Ok || d.Receive(out RawMessage r, 1000) != RecvStatus.Ok || r.HandleCount != 1 || !r.IsBlock(0))
            problem = "a message on a new channel";
        else
        {
            ExBlock back = r.GetBlock(0);
            if (back.ReadInt64(0) != round) problem = "a new block's contents";
            back.Free();
        }
        c.Close();
        d.Close();
        return problem;
    }

    private static string Name(RecvStatus s) => s == RecvStatus.Closed ? "Closed" : s == RecvStatus.TimedOut ? "TimedOut"
        : s == RecvStatus.BadMessage ? "BadMessage" : s == RecvStatus.BadHandle ? "BadHandle" : "Ok";
}
