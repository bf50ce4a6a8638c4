using System;
using Singularity;
using Singularity.Channels;
using Singularity.Threading;

// Each case writes one private field of a frame (or message) to a value no safe code can give
// it, then calls the public member that reads it. The runtime must throw a managed exception and
// leave every byte outside the frame's own fields as it was. Prints one line per case, then
// "frameforger: done" and exits 0 when every case was refused; exits 1 otherwise.
public static unsafe class Program
{
    // MessageFrame's layout (sequential): RawMessage (tag, handle count, 8 data words, 4
    // handles = 104 bytes), then the put offset, the take offset and the next handle's index.
    private const int PutOffset = 104, TakeOffset = 108, HandleIndex = 112, CountOffset = 4;

    // A frame with guard words on both sides, so a write outside it shows.
    private struct Fenced
    {
        public long Before0, Before1, Before2, Before3;
        public MessageFrame Frame;
        public long After0, After1, After2, After3;
    }

    private const long Guard = 0x4242424242424242;

    public static int Main()
    {
        Thread.Sleep(300);
        if (!LayoutIsAsExpected()) { Report("the frame's layout is not the one this fixture knows"); return 3; }
        bool ok = true;
        ok &= PutWith(int.MinValue);
        ok &= PutWith(-8);
        ok &= PutWith(-4096);
        ok &= PutWith(60);
        ok &= PutWith(65);
        ok &= PutWith(int.MaxValue - 3);
        ok &= TakeWith(-16);
        ok &= TakeWith(int.MinValue + 4);
        ok &= TakeWith(64);
        ok &= HandleIndexOf(-1);
        ok &= HandleIndexOf(int.MaxValue);
        ok &= HandleCountOf(1000);
        ok &= HandleCountOf(-1);
        ok &= SendWithHandleCount(5);
        Thread.Sleep(500);
        Report(ok ? "done" : "FAILED");
        return ok ? 0 : 1;
    }

    private static void Report(string text) => Debug.WriteLine("frameforger: " + text);

    private static bool LayoutIsAsExpected()
    {
        MessageFrame f = default;
        f.Put<long>(1);
        f.Take<int>();
        byte* p = (byte*)&f;
        return *(int*)(p + PutOffset) == 8 && *(int*)(p + TakeOffset) == 4;
    }

    private static Fenced NewFenced()
    {
        Fenced x = default;
        x.Before0 = x.Before1 = x.Before2 = x.Before3 = Guard;
        x.After0 = x.After1 = x.After2 = x.After3 = Guard;
        x.Frame.Tag = 77;
        return x;
    }

    private static bool Intact(in Fenced x) =>
        x.Before0 == Guard && x.Before1 == Guard && x.Before2 == Guard && x.Before3 == Guard
        && x.After0 == Guard && x.After1 == Guard && x.After2 == Guard && x.After3 == Guard && x.Frame.Tag == 77;

    private static bool PutWith(int offset)
    {
        Fenced x = NewFenced();
        *(int*)((byte*)&x.Frame + PutOffset) = offset;
        string outcome;
        try { x.Frame.Put<long>(0x0BADC0DE0BADC0DE); outcome = "accepted"; }
        catch (Exception e) { outcome = e.TypeName; }
        return Verdict("Put<long> at offset " + offset.ToString(), outcome, "System.InvalidOperationException", Intact(x));
    }

    private static bool TakeWith(int offset)
    {
        Fenced x = NewFenced();
        *(int*)((byte*)&x.Frame + TakeOffset) = offset;
        string outcome;
        try { x.Frame.Take<long>(); outcome = "accepted"; }
        catch (Exception e) { outcome = e.TypeName; }
        return Verdict("Take<long> at offset " + offset.ToString(), outcome, "System.InvalidOperationException", Intact(x));
    }

    private static bool HandleIndexOf(int index)
    {
        Fenced x = NewFenced();
        *(int*)((byte*)&x.Frame + HandleIndex) = index;
        string outcome;
        try { x.Frame.TakeBuffer(); outcome = "accepted"; }
        catch (Exception e) { outcome = e.TypeName; }
        return Verdict("TakeBuffer at handle index " + index.ToString(), outcome, "System.IndexOutOfRangeException", Intact(x));
    }

    private static bool HandleCountOf(int count)
    {
        Fenced x = NewFenced();
        *(int*)((byte*)&x.Frame + CountOffset) = count;
        *(int*)((byte*)&x.Frame + HandleIndex) = 5;
        string outcome;
        try { x.Frame.TakeBuffer(); outcome = "accepted"; }
        catch (Exception e) { outcome = e.TypeName; }
        return Verdict("TakeBuffer(5) with handle count " + count.ToString(), outcome, "System.IndexOutOfRangeException", Intact(x));
    }

    // A frame whose handle count says 5 (the fields hold 4), sent through an endpoint of this
    // SIP's own (any SIP may derive from Endpoint, as generated code does): the runtime must
    // refuse it before the kernel reads past the message. The refusal is a protocol violation.
    private static bool SendWithHandleCount(int count)
    {
        EndpointHandle.CreateChannel(out EndpointHandle a, out EndpointHandle b);
        var tx = new Wire(a);
        var rx = new Wire(b);
        Fenced x = NewFenced();
        *(int*)((byte*)&x.Frame + CountOffset) = count;
        string outcome;
        try { tx.Send(ref x.Frame); outcome = "accepted"; }
        catch (Exception e) { outcome = e.TypeName; }
        tx.Close();
        rx.Close();
        return Verdict("send with handle count " + count.ToString(), outcome, "Singularity.Channels.ProtocolViolationException", Intact(x));
    }

    private sealed class Wire : Endpoint
    {
        public Wire([Claims] EndpointHandle handle) : base(handle, 0) { }
        public void Send(ref MessageFrame frame) => SendFrame(ref frame);
    }

    private static bool Verdict(string what, string outcome, string expected, bool intact)
    {
        Report(what + ": " + outcome + (intact ? "" : ", MEMORY AROUND THE FRAME CHANGED"));
        return outcome == expected && intact;
    }
}
