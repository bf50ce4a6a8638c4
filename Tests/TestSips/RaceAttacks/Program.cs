using System;
using Singularity;
using Singularity.Channels;
using Singularity.Ipc;
using Singularity.Threading;

// Two or three threads of this SIP race on one object that trusted code reads: whatever the
// interleaving, the runtime must see one consistent value and fail only this SIP's call. Each
// mode runs for a fixed time, reports what happened and ends with "raceattacks: MODE done".
public static class Program
{
    private const int RunMs = 1500;

    private sealed class Flag { public volatile bool Stop; }

    public static int Main()
    {
        string[] modes = Singularity.Text.Words.Split(Sip.Arguments);
        Thread.Sleep(300);
        bool all = true;
        for (int m = 0; m < modes.Length; m++)
        {
            string mode = modes[m];
            bool ok;
            switch (mode)
            {
                case "concat": ok = ConcatWhileArrayChanges(); break;
                case "frame": ok = FrameFromTwoThreads(); break;
                case "exchange": ok = AccessWhileFreed(); break;
                case "message": ok = MessageChangesDuringSend(); break;
                case "collect": ok = AllocateWhileCollecting(); break;
                default: Report("unknown mode '" + mode + "'"); return 2;
            }
            Report(mode + (ok ? " done" : " FAILED"));
            all &= ok;
        }
        Thread.Sleep(500);
        return all ? 0 : 1;
    }


    private static void Report(string text) => Debug.WriteLine("raceattacks: " + text);

    private static bool TimeLeft(ulong end) => Clock.NowMs < end;

    // string.Concat(params) while another thread swaps the array's parts between a 1-character
    // and a 1024-character string: each result must be exactly some mix of the two (a length of
    // k * 1024 + (64 - k)), never a string sized for one state and filled from another.
    private static bool ConcatWhileArrayChanges()
    {
        string shortPart = "a";
        string longPart = "b";
        for (int i = 0; i < 10; i++) longPart = longPart + longPart;
        var parts = new string[64];
        for (int i = 0; i < parts.Length; i++) parts[i] = shortPart;
        var flag = new Flag();
        Thread flipper = Thread.Start(() =>
        {
            int i = 0;
            while (!flag.Stop) { parts[i & 63] = ((i >> 6) & 1) == 0 ? longPart : shortPart; i++; }
        });
        int rounds = 0, bad = 0;
        ulong end = Clock.NowMs + RunMs;
        while (TimeLeft(end))
        {
            string r = string.Concat(parts);
            int extra = r.Length - 64;
            if (extra < 0 || extra % 1023 != 0 || extra / 1023 > 64) bad++;
            rounds++;
        }
        flag.Stop = true;
        flipper.Join();
        Report("concat: " + rounds.ToString() + " rounds, " + bad.ToString() + " inconsistent");
        return rounds > 0 && bad == 0;
    }

    // A frame with eight words of canaries after it, in a heap object two threads put into.
    private struct Guarded
    {
        public MessageFrame Frame;
        public long C0, C1, C2, C3, C4, C5, C6, C7;
    }

    private sealed class FrameBox { public Guarded G; }

    private const long Canary = 0x5A5A5A5A5A5A5A5A;

    private static bool FrameFromTwoThreads()
    {
        var box = new FrameBox();
        box.G.C0 = box.G.C1 = box.G.C2 = box.G.C3 = box.G.C4 = box.G.C5 = box.G.C6 = box.G.C7 = Canary;
        var flag = new Flag();
        var counts = new int[2];
        Thread other = Thread.Start(() => { counts[1] = PutLoop(box, flag); });
        ulong end = Clock.NowMs + RunMs;
        while (TimeLeft(end)) counts[0] += PutBurst(box);
        flag.Stop = true;
        other.Join();
        bool intact = box.G.C0 == Canary && box.G.C1 == Canary && box.G.C2 == Canary && box.G.C3 == Canary
                      && box.G.C4 == Canary && box.G.C5 == Canary && box.G.C6 == Canary && box.G.C7 == Canary;
        Report("frame: " + (counts[0] + counts[1]).ToString() + " full frames, canaries " + (intact ? "intact" : "OVERWRITTEN"));
        return intact && counts[0] + counts[1] > 0;
    }

    private static int PutLoop(FrameBox box, Flag flag)
    {
        int n = 0;
        while (!flag.Stop) n += PutBurst(box);
        return n;
    }

    // Puts until the frame is full (InvalidOperationException), then starts a new one.
    private static int PutBurst(FrameBox box)
    {
        try
        {
            for (int i = 0; i < 16; i++) box.G.Frame.Put<long>(i);
            return 0;
        }
        catch (InvalidOperationException)
        {
            box.G.Frame = default;
            return 1;
        }
    }

    // One thread copies 64 KiB into a block again and again while another frees it, allocates
    // two 32 KiB blocks (which the kernel's heap may place where the freed one was), checks that
    // they are still all zeros, frees them and allocates the next 64 KiB block. A copy that went
    // on into the freed block's memory would show in the new blocks.
    private sealed class BlockBox { public ExBlock Block; }

    private static bool AccessWhileFreed()
    {
        var box = new BlockBox { Block = ExBlock.Allocate(65536) };
        var flag = new Flag();
        var data = new byte[65536];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)(i | 1);
        var refused = new int[1];
        Thread copier = Thread.Start(() =>
        {
            while (!flag.Stop)
            {
                try { box.Block.CopyFrom(data, 0); }
                catch (InvalidOperationException) { refused[0]++; }
            }
        });
        int frees = 0, failedFrees = 0, dirty = 0;
        var check = new byte[32768];
        ulong end = Clock.NowMs + RunMs;
        while (TimeLeft(end))
        {
            ExBlock old = box.Block;
            try { old.Free(); frees++; }
            catch (InvalidOperationException) { failedFrees++; }
            ExBlock x = ExBlock.Allocate(32768), y = ExBlock.Allocate(32768);
            if (!AllZero(x, check)) dirty++;
            if (!AllZero(y, check)) dirty++;
            x.Free();
            y.Free();
            box.Block = ExBlock.Allocate(65536);
        }
        flag.Stop = true;
        copier.Join();
        box.Block.Free();
        Report("exchange: " + frees.ToString() + " frees, " + refused[0].ToString() + " copies refused, "
               + dirty.ToString() + " new blocks written by a stale copy, exchange bytes owned " + Exchange.BytesOwned.ToString());
        return frees > 0 && failedFrees == 0 && dirty == 0 && Exchange.BytesOwned == 0;
    }

    private static bool AllZero(ExBlock b, byte[] buffer)
    {
        b.CopyTo(buffer, 0);
        for (int i = 0; i < buffer.Length; i++) if (buffer[i] != 0) return false;
        return true;
    }

    // Three threads allocate small objects and check every one they made, while another asks for
    // collections without pause: a collection must never free an object that was just allocated
    // (or take a block an allocation is halfway through), which would hand the same memory out
    // twice and show as one object's fields changing under another.
    private sealed class Cell
    {
        public long Stamp;
        public Cell Next;
        public long Check;
    }

    private static bool AllocateWhileCollecting()
    {
        var flag = new Flag();
        var bad = new int[3];
        var made = new long[3];
        var workers = new Thread[3];
        for (int w = 0; w < workers.Length; w++)
        {
            int me = w;
            workers[w] = Thread.Start(() =>
            {
                long stamp = (long)(me + 1) << 40;
                while (!flag.Stop)
                {
                    Cell head = null;
                    for (int i = 0; i < 200; i++, stamp++) head = new Cell { Stamp = stamp, Check = ~stamp, Next = head };
                    long expect = stamp - 1;
                    for (Cell c = head; c != null; c = c.Next, expect--)
                        if (c.Stamp != expect || c.Check != ~expect) bad[me]++;
                    made[me] += 200;
                }
            });
        }
        // A collection pauses the other threads of this SIP, so back-to-back collections could
        // starve the allocators: yield after each, and go on (bounded) until every worker has
        // checked at least one batch, so the probe never passes or fails on scheduling luck.
        ulong collections = Sip.Collections;
        ulong end = Clock.NowMs + RunMs;
        ulong hardEnd = end + 10 * RunMs;
        while (TimeLeft(end) || ((made[0] == 0 || made[1] == 0 || made[2] == 0) && TimeLeft(hardEnd)))
        {
            Sip.Collect();
            Thread.Yield();
        }
        flag.Stop = true;
        for (int w = 0; w < workers.Length; w++) workers[w].Join();
        int wrong = bad[0] + bad[1] + bad[2];
        Report("collect: " + (made[0] + made[1] + made[2]).ToString() + " objects checked during " + (Sip.Collections - collections).ToString()
               + " collections, " + wrong.ToString() + " changed");
        return wrong == 0 && made[0] > 0 && made[1] > 0 && made[2] > 0 && Sip.Collections > collections;
    }

    // One thread sends a message held in a heap object, on a channel whose queue is kept full so
    // the send waits in the kernel; another thread keeps changing the message between no handles
    // and one endpoint handle; a third drains the queue slowly. The kernel must get one
    // consistent message (the runtime hands it a copy), whatever the message became meanwhile.
    private sealed class MessageBox { public RawMessage Message; }

    private static bool MessageChangesDuringSend()
    {
        RawEndpoint.CreateChannel(out RawEndpoint sender, out RawEndpoint receiver);
        RawEndpoint.CreateChannel(out RawEndpoint carried, out RawEndpoint carriedPeer);
        var box = new MessageBox();
        var flag = new Flag();
        Thread mutator = Thread.Start(() =>
        {
            while (!flag.Stop)
            {
                var m = new RawMessage { Tag = 1 };
                box.Message = m;
                box.Message.Add(carried);
            }
        });
        var received = new int[1];
        Thread drainer = Thread.Start(() =>
        {
            while (!flag.Stop)
            {
                Thread.Sleep(2);
                if (receiver.Receive(out RawMessage m, 0) != RecvStatus.Ok) continue;
                received[0]++;
                for (int i = 0; i < m.HandleCount; i++) if (!m.IsBlock(i)) m.GetEndpoint(i).Close();
            }
        });
        int ok = 0, refused = 0, timedOut = 0, other = 0;
        ulong end = Clock.NowMs + RunMs;
        while (TimeLeft(end))
        {
            RecvStatus st = sender.Send(ref box.Message, 20);
            if (st == RecvStatus.Ok) ok++;
            else if (st == RecvStatus.BadMessage) refused++;
            else if (st == RecvStatus.TimedOut) timedOut++;
            else other++;
        }
        flag.Stop = true;
        mutator.Join();
        drainer.Join();
        sender.Close();
        receiver.Close();
        carried.Close();
        carriedPeer.Close();
        Report("message: " + ok.ToString() + " sent, " + refused.ToString() + " refused, " + timedOut.ToString() + " timed out, "
               + other.ToString() + " other, " + received[0].ToString() + " received");
        return ok > 0 && other == 0;
    }
}
