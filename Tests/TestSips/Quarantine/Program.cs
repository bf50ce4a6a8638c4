using System;
using Singularity;
using Singularity.Ipc;
using Singularity.Threading;

// `quarantine` (no argument: the receiver): registers /test/quarantine; every block a client sends
// it is filled with its own pattern, held while the client's threads run, then checked byte by byte,
// freed and answered. When the client's channel closes it reports how many blocks it checked and
// how many were touched.
// `quarantine sender N`: binds to the receiver; a writer thread writes into the current block
// through the indexer without a pause (no kernel call), and the main thread, each time the timer
// has stopped the writer in the middle of that, sends the block to the receiver and waits for its
// answer (so nothing is left queued when this SIP ends), N times: by Send then Receive and by Call
// in turn, so both the general send path and the request/reply fast path meet the stopped writer. Finally
// it touches the last block it sent, which must throw InvalidOperationException (uncaught: it fails alone).
public static class Program
{
    private const string Service = "/test/quarantine";
    private const int BlockBytes = 4096;
    private const byte ReceiverPattern = 0x5A;
    private const byte WriterPattern = 0xEE;

    private sealed class Box
    {
        public ExBlock Block;
        public volatile int Taken;       // how many blocks the writer has started on
        public volatile bool Stop;
        public int Refused;              // the writer's accesses refused (the block had been sent)
        public long Writes;
    }

    public static int Main()
    {
        string args = Sip.Arguments;
        if (args.StartsWith("sender")) return Sender(ParseInt(args.Length > 7 ? args.Substring(7) : "", 200));
        if (args.Length == 0) return Receiver();
        Debug.WriteLine("quarantine: unknown mode '" + args + "'");
        return 2;
    }

    private static int Receiver()
    {
        RawEndpoint.CreateChannel(out RawEndpoint listenerImp, out RawEndpoint listener);
        if (!Names.Register(Service, listenerImp)) { Debug.WriteLine("quarantine receiver: cannot register " + Service); return 1; }
        Debug.WriteLine("quarantine receiver: listening");
        var pattern = new byte[BlockBytes];
        for (int i = 0; i < pattern.Length; i++) pattern[i] = ReceiverPattern;
        while (true)
        {
            if (listener.Receive(out RawMessage hello) != RecvStatus.Ok) return 1;
            if (hello.Tag != Names.ConnectTag) continue;
            RawEndpoint client = hello.GetEndpoint(0);
            int checkedBlocks = 0, touched = 0;
            while (client.Receive(out RawMessage m) == RecvStatus.Ok)
            {
                if (m.HandleCount != 1 || !m.IsBlock(0)) continue;
                ExBlock b = m.GetBlock(0);
                b.Fill(0, b.Length, ReceiverPattern);
                // The sender's writer runs meanwhile (it was stopped inside a write into this block's
                // original): any store of it that reached this memory shows at the check.
                Thread.Sleep(15);
                if (!b.ContentEquals(0, pattern, 0, BlockBytes)) touched++;
                checkedBlocks++;
                b.Free();
                var answer = new RawMessage { Tag = 2 };
                if (client.Send(ref answer) != RecvStatus.Ok) break;
            }
            client.Close();
            Debug.WriteLine("quarantine receiver: " + checkedBlocks.ToString() + " blocks checked, " + touched.ToString() + " touched by the sender");
        }
    }

    private static int Sender(int n)
    {
        RawEndpoint receiver;
        while (!Names.TryBind(Service, out receiver)) Thread.Sleep(20);
        var box = new Box { Block = ExBlock.Allocate(BlockBytes) };
        Thread writer = Thread.Start(() => Write(box));
        ExBlock last = default;
        int sent = 0;
        for (int k = 0; k < n; k++)
        {
            // Wait until the writer has started on the current block; this thread then runs again
            // only when the timer stops the writer (it never enters the kernel by itself), in the
            // middle of its writes.
            int taken = box.Taken;
            while (box.Taken == taken) Thread.Yield();
            last = box.Block;
            box.Block = ExBlock.Allocate(BlockBytes);
            var m = new RawMessage { Tag = 1 };
            m.Add(last);
            // Every other block by Send then Receive (ChannelCalls.SendLocked when the receiver waits, else
            // Endpoint.SendChecked: a one-block send takes it whenever a thread of the SIP was preempted),
            // the rest by Call (ABI 44; the fast path when the receiver waits: ChannelFastPath).
            bool ok;
            RawMessage answer = default;
            if ((k & 1) == 0) ok = receiver.Send(ref m) == RecvStatus.Ok && receiver.Receive(out answer) == RecvStatus.Ok;
            else ok = receiver.Call(ref m, out answer) == RecvStatus.Ok;
            if (!ok || answer.Tag != 2) { Debug.WriteLine("quarantine sender: FAILED send " + k.ToString()); return 1; }
            sent++;
        }
        box.Stop = true;
        writer.Join();
        box.Block.Free();
        Debug.WriteLine("quarantine sender: " + sent.ToString() + " blocks sent while the writer was stopped in them, "
                        + box.Refused.ToString() + " writes refused, exchange bytes owned " + Exchange.BytesOwned.ToString());
        Debug.WriteLine("quarantine sender: touching the last block sent");
        last[0] = 1;                     // must throw: this SIP no longer owns the block
        Debug.WriteLine("quarantine sender: FAILED the write went through");
        return 1;
    }

    // Writes into the box's block through the indexer, round after round, with no kernel call; a
    // write refused (the block was sent) moves it on to the block now in the box.
    private static void Write(Box box)
    {
        while (!box.Stop)
        {
            ExBlock b = box.Block;
            box.Taken++;
            try
            {
                for (int round = 0; round < 64 && !box.Stop; round++)
                    for (int i = 0; i < BlockBytes; i++) b[i] = WriterPattern;
                box.Writes++;
            }
            catch (InvalidOperationException) { box.Refused++; }
        }
    }

    private static int ParseInt(string s, int fallback)
    {
        int v = 0;
        if (s.Length == 0) return fallback;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c < '0' || c > '9') return fallback;
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
