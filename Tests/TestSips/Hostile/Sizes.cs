using System;
using Singularity;
using Singularity.Channels;
using Singularity.Ipc;      // Exchange.BytesOwned
using Singularity.Threading;

/// <summary>
/// Huge, negative and off-by-one sizes, counts, offsets and indexes to every API that takes one,
/// and lengths whose sums or products overflow. Each must be refused with an exception the SIP
/// can catch, and must change nothing.
/// </summary>
internal static class Sizes
{
    private static int[] BadIndexes => Probes.Values(-1, -8, int.MinValue, int.MaxValue, int.MaxValue - 7);

    public static int Run()
    {
        var p = new Probes("sizes");
        ExchangeBlocks(p);
        Buffers(p);
        Strings(p);
        Arrays(p);
        ThreadsAndTimeouts(p);
        ChannelsAndNames(p);
        ProcessesApi(p);
        p.Check("no exchange memory left owned", Exchange.BytesOwned == 0);
        return p.Finish();
    }

    // A probe of a buffer the caller owns: the lambda gets it as a borrowed parameter (a tracked
    // value cannot be captured), so each probe runs on the same buffer and can only read or write it.
    private delegate void BufferProbe(ExBuffer buffer);

    private static void RefusedOn(Probes p, string what, ExBuffer buffer, BufferProbe probe)
    {
        try { probe(buffer); p.Fail(what + " was not refused"); }
        catch (Exception e) { Clean(p, what, e); }
    }

    private static void ExchangeBlocks(Probes p)
    {
        p.Refused("ExBuffer.Allocate(64 MiB + 1)", () => NewBufferLength(64 * 1024 * 1024 + 1));
        p.Refused("ExBuffer.Allocate(17 MiB), over the exchange quota", () => NewBufferLength(17 * 1024 * 1024));
        ExBuffer b = ExBuffer.Allocate(100);
        try
        {
            for (int k = 0; k < 100; k++) b[k] = (byte)k;
            int[] iValues1 = Probes.Values(-1, 100, 101, int.MinValue, int.MaxValue);
            for (int k1 = 0; k1 < iValues1.Length; k1++)
            {
                int i = iValues1[k1];
                RefusedOn(p, "ExBuffer[" + i.ToString() + "] read", b, x => { int v = x[i]; });
                RefusedOn(p, "ExBuffer[" + i.ToString() + "] write", b, x => { x[i] = 0xEE; });
            }
            int[] offValues2 = Probes.Values(-1, -8, 93, 100, int.MinValue, int.MaxValue, int.MaxValue - 7);
            for (int k2 = 0; k2 < offValues2.Length; k2++)
            {
                int off = offValues2[k2];
                RefusedOn(p, "ExBuffer.ReadInt64(" + off.ToString() + ")", b, x => x.ReadInt64(off));
                RefusedOn(p, "ExBuffer.WriteInt64(" + off.ToString() + ")", b, x => x.WriteInt64(off, -1));
            }
            int[] offValues3 = Probes.Values(-1, 91, int.MinValue, int.MaxValue, int.MaxValue - 5);
            for (int k3 = 0; k3 < offValues3.Length; k3++)
            {
                int off = offValues3[k3];
                RefusedOn(p, "ExBuffer.CopyFrom(10 bytes, " + off.ToString() + ")", b, x => x.CopyFrom(new byte[10], off));
                RefusedOn(p, "ExBuffer.CopyTo(10 bytes, " + off.ToString() + ")", b, x => x.CopyTo(new byte[10], off));
            }
            RefusedOn(p, "ExBuffer.CopyFrom(101 bytes, 0)", b, x => x.CopyFrom(new byte[101], 0));
            RefusedOn(p, "ExBuffer.CopyTo(101 bytes, 0)", b, x => x.CopyTo(new byte[101], 0));
            RefusedOn(p, "ExBuffer.CopyFrom(null, 0)", b, x => x.CopyFrom(null, 0));
            RefusedOn(p, "ExBuffer.CopyTo(null, 0)", b, x => x.CopyTo(null, 0));
            bool intact = b.Length == 100;
            for (int k = 0; k < 100 && intact; k++) intact = b[k] == (byte)k;
            p.Check("the buffer is unchanged after the refused accesses", intact);
        }
        finally { b.Free(); }
    }

    // ExBuffer and ExArray are tracked (the analyzer follows their ownership), so no lambdas here.
    private static void Buffers(Probes p)
    {
        int[] nValues4 = Probes.Values(0, -1, int.MinValue, int.MaxValue);
        for (int k4 = 0; k4 < nValues4.Length; k4++)
        {
            int n = nValues4[k4];
            try { NewBufferLength(n); p.Fail("ExBuffer.Allocate(" + n.ToString() + ") was not refused"); }
            catch (Exception e) { Clean(p, "ExBuffer.Allocate(" + n.ToString() + ")", e); }
            try { NewArrayLength(n); p.Fail("ExArray<long>.Allocate(" + n.ToString() + ") was not refused"); }
            catch (Exception e) { Clean(p, "ExArray<long>.Allocate(" + n.ToString() + ")", e); }
        }
        ExBuffer buf = ExBuffer.Allocate(16);
        try
        {
            int[] iValues5 = Probes.Values(-1, 16, int.MinValue, int.MaxValue);
            for (int k5 = 0; k5 < iValues5.Length; k5++)
            {
                int i = iValues5[k5];
                try { int x = buf[i]; p.Fail("ExBuffer[" + i.ToString() + "] was not refused"); }
                catch (Exception e) { Clean(p, "ExBuffer[" + i.ToString() + "]", e); }
            }
        }
        finally { buf.Free(); }
        ExArray<long> arr = ExArray<long>.Allocate(10);
        try
        {
            int[] iValues6 = Probes.Values(-1, 10, int.MinValue, int.MaxValue, 0x20000000);
            for (int k6 = 0; k6 < iValues6.Length; k6++)
            {
                int i = iValues6[k6];
                try { arr[i] = 5; p.Fail("ExArray<long>[" + i.ToString() + "] write was not refused"); }
                catch (Exception e) { Clean(p, "ExArray<long>[" + i.ToString() + "] write", e); }
            }
            p.Check("ExArray<long>.Allocate(10) has 10 elements", arr.Length == 10);
        }
        finally { arr.Free(); }
    }

    // Allocate, measure and free in one place, so each probe owns nothing when it throws.
    private static int NewBufferLength(int n)
    {
        ExBuffer x = ExBuffer.Allocate(n);
        try { return x.Length; }
        finally { x.Free(); }
    }

    private static int NewArrayLength(int n)
    {
        ExArray<long> x = ExArray<long>.Allocate(n);
        try { return x.Length; }
        finally { x.Free(); }
    }

    private static void Clean(Probes p, string what, Exception e)
    {
        if (Probes.IsClean(e)) p.Say(what + " -> " + e.TypeName);
        else p.Fail(what + " threw " + e.TypeName + ": " + e.Message);
    }

    private static void Strings(Probes p)
    {
        string s = "abcdef";
        int[] bad7 = BadIndexes;
        for (int k7 = 0; k7 < bad7.Length; k7++)
        {
            int i = bad7[k7];
            p.Refused("\"abcdef\"[" + i.ToString() + "]", () => { char c = s[i]; });
        }
        p.Refused("\"abcdef\"[6]", () => { char c = s[6]; });
        int[] iValues8 = Probes.Values(-1, 7, int.MinValue, int.MaxValue);
        for (int k8 = 0; k8 < iValues8.Length; k8++)
        {
            int i = iValues8[k8];
            p.Refused("Substring(" + i.ToString() + ")", () => s.Substring(i));
        }
        p.Refused("Substring(1, -1)", () => s.Substring(1, -1));
        p.Refused("Substring(1, 6)", () => s.Substring(1, 6));
        p.Refused("Substring(2, int.MaxValue)", () => s.Substring(2, int.MaxValue));
        p.Refused("Substring(int.MaxValue, 2)", () => s.Substring(int.MaxValue, 2));
        p.Refused("Substring(int.MinValue, int.MinValue)", () => s.Substring(int.MinValue, int.MinValue));
        p.Refused("IndexOf('c', -5)", () => s.IndexOf('c', -5));
        p.Refused("IndexOf('c', int.MaxValue)", () => s.IndexOf('c', int.MaxValue));
        p.Check("Substring(6) is empty", s.Substring(6).Length == 0);
        p.RefusedNull("string.FromAscii(null)", () => string.FromAscii(null));
        p.RefusedNull("string.Concat((string[])null)", () => string.Concat((string[])null));
        p.Check("long.MinValue formats", long.MinValue.ToString() == "-9223372036854775808");
        p.Check("ulong.MaxValue formats", ulong.MaxValue.ToString() == "18446744073709551615");
        p.Check("int.MinValue formats", int.MinValue.ToString() == "-2147483648");
    }

    private static void Arrays(Probes p)
    {
        // Lengths the compiler cannot see (an unused array of a constant length may be optimised away).
        int twoGiBPlus8 = Probes.Opaque(0x10000001), maxInt = Probes.Opaque(int.MaxValue);
        int[] nValues9 = Probes.Values(-1, int.MinValue);
        for (int k9 = 0; k9 < nValues9.Length; k9++)
        {
            int n = nValues9[k9];
            p.Refused("new byte[" + n.ToString() + "]", () => Probes.Use(new byte[n]));
        }
        p.Refused("new byte[int.MaxValue]", () => Probes.Use(new byte[maxInt]));
        p.Refused("new long[int.MaxValue]", () => Probes.Use(new long[maxInt]));
        p.Refused("new string[int.MaxValue]", () => Probes.Use(new string[maxInt]));
        p.Refused("new long[0x10000001] (2 GiB + 8)", () => Probes.Use(new long[twoGiBPlus8]));
        var small = new int[4];
        int[] bad10 = BadIndexes;
        for (int k10 = 0; k10 < bad10.Length; k10++)
        {
            int i = bad10[k10];
            p.Refused("int[4][" + i.ToString() + "]", () => small[i] = 1);
        }
        p.Refused("int[4][4]", () => small[4] = 1);
    }

    private static void ThreadsAndTimeouts(Probes p)
    {
        p.Refused("Thread.Sleep(-1)", () => Thread.Sleep(-1));
        p.Refused("Thread.Sleep(int.MinValue)", () => Thread.Sleep(int.MinValue));
        int[] prValues11 = Probes.Values(0, 3, -1, int.MinValue, int.MaxValue);
        for (int k11 = 0; k11 < prValues11.Length; k11++)
        {
            int pr = prValues11[k11];
            p.Refused("Thread.SetCurrentPriority(" + pr.ToString() + ")", () => Thread.SetCurrentPriority((ThreadPriority)pr));
        }
        var done = new Event(true, false);
        Thread t = Thread.Start(() => done.Wait());
        int[] prValues12 = Probes.Values(0, 3, 255, int.MaxValue);
        for (int k12 = 0; k12 < prValues12.Length; k12++)
        {
            int pr = prValues12[k12];
            p.Refused("thread.SetPriority(" + pr.ToString() + ")", () => t.SetPriority((ThreadPriority)pr));
        }
        done.Set();
        p.Check("the thread ends", t.Join(5000));
        p.RefusedNull("Thread.Start(null)", () => Thread.Start(null));
        p.Refused("Mutex.Release() without Acquire", () => new Mutex().Release());
        var e = new Event(false, true);
        p.Check("Event.Wait(int.MaxValue) on a set event returns at once", e.Wait(int.MaxValue));
        p.Check("Event.Wait(0) on a reset event times out", !e.Wait(0));
        var m = new Mutex();
        p.Check("Mutex.Acquire(int.MaxValue)", m.Acquire(int.MaxValue));
        m.Release();
        p.Check("Thread.Join(0) of an ended thread", t.Join(0));
    }

    private static void ChannelsAndNames(Probes p)
    {
        p.Refused("EndpointSet.Select(no endpoints)", () => EndpointSet.Select(new Endpoint[0]));
        p.Refused("EndpointSet.Select(65 missing endpoints)", () => EndpointSet.Select(new Endpoint[65]));
        // ReceiveAny (ABI 45): the count is checked by the runtime and again by the kernel; handles
        // this SIP does not hold (never-opened ones here) are the kernel's BadHandle.
        p.RefusedNull("RawEndpoint.ReceiveAny(null)", () => RawEndpoint.ReceiveAny(null, out RawMessage _, out int _, 0));
        p.Refused("RawEndpoint.ReceiveAny(no endpoints)", () => RawEndpoint.ReceiveAny(new RawEndpoint[0], out RawMessage _, out int _, 0));
        p.Refused("RawEndpoint.ReceiveAny(129 endpoints)", () => RawEndpoint.ReceiveAny(new RawEndpoint[129], out RawMessage _, out int _, 0));
        p.Refused("RawEndpoint.ReceiveAny(handles not held)", () => RawEndpoint.ReceiveAny(new RawEndpoint[2], out RawMessage _, out int _, 0));
        // A group holds at most 127 (a select waits on 128 with the listener); a queue 1 to 65536.
        p.Refused("new EndpointGroup(0)", () => new EndpointGroup<Wire>(0));
        p.Refused("new EndpointGroup(128)", () => new EndpointGroup<Wire>(128));
        p.Refused("new BlockQueue(0)", () => new BlockQueue(0));
        p.Refused("new BlockQueue(65537)", () => new BlockQueue(65537));
        p.Refused("BlockQueue.Enqueue(null buffer)", () => new BlockQueue(1).Enqueue(default));
        // ReleaseUntaken frees only what was not taken from that frame; a copy's second release is refused.
        long before = (long)Exchange.BytesOwned;
        var kept = new MessageFrame();
        kept.PutBuffer(ExBuffer.Allocate(4096));
        kept.ReleaseUntaken();
        kept.ReleaseUntaken();
        p.Check("ReleaseUntaken frees the untaken buffer, once", (long)Exchange.BytesOwned == before);
        p.Refused("ReleaseUntaken of a copy whose buffer was taken and freed", () =>
        {
            var f = new MessageFrame();
            f.PutBuffer(ExBuffer.Allocate(8));
            var copy = f;
            ExBuffer taken = f.TakeBuffer();
            taken.Free();
            copy.ReleaseUntaken();
        });
        p.Check("exchange bytes back after the frame probes", (long)Exchange.BytesOwned == before);
        p.RefusedNull("EndpointSet.Select(null)", () => EndpointSet.Select(null));
        p.Refused("EndpointSet.Select(null endpoint)", () => EndpointSet.Select(new Endpoint[1]));
        // A frame's handles are taken in order; past the count, or of the other kind, is refused.
        p.Refused("TakeBuffer from a message without handles", () => { var f = new MessageFrame(); ExBuffer x = f.TakeBuffer(); x.Free(); });
        p.Refused("TakeEndpoint from a message without handles", () => { var f = new MessageFrame(); EndpointHandle h = f.TakeEndpoint(); });
        p.Refused("TakeBuffer of an endpoint handle", () => { var f = new MessageFrame(); f.PutEndpoint(default); ExBuffer x = f.TakeBuffer(); x.Free(); });
        p.Refused("TakeEndpoint past the one handle", () => { var f = new MessageFrame(); f.PutEndpoint(default); EndpointHandle h = f.TakeEndpoint(); h = f.TakeEndpoint(); });
        p.Refused("a fifth handle in one message", () =>
        {
            var f = new MessageFrame();
            for (int i = 0; i < 5; i++) f.PutEndpoint(default);
        });
        p.Check("a frame with four handles carries them", FourHandles().Carries("EEEE"));
        p.Refused("nine longs in a 64-byte message", () => { var f = new MessageFrame(); for (int i = 0; i < 9; i++) f.Put<long>(i); });
        p.Refused("taking nine longs out of a message", () => { var f = new MessageFrame(); for (int i = 0; i < 9; i++) f.Take<long>(); });
        Wire.NewChannel(out Wire a, out Wire b);
        try { p.Check("Receive with timeout 0 times out", b.Receive(out MessageFrame r, 0) == ReceiveResult.TimedOut); }
        finally { a.Close(); b.Close(); }
        p.RefusedNull("ServiceListener.TryRegister(null)", () => ServiceListener.TryRegister(null, out ServiceListener l));
        p.Refused("ServiceListener.TryRegister(\"\")", () => ServiceListener.TryRegister("", out ServiceListener l));
        p.Refused("ServiceListener.TryRegister(129 characters)", () => ServiceListener.TryRegister("/" + Probes.Repeat('x', 128), out ServiceListener l));
        p.Refused("EndpointHandle.TryBind(129 characters)", () => EndpointHandle.TryBind("/" + Probes.Repeat('x', 128), out EndpointHandle x));
        p.Refused("EndpointHandle.TryTakeStartup(\"\")", () => EndpointHandle.TryTakeStartup("", out EndpointHandle x));
        p.Refused("ServiceListener.TryOpen(\"\")", () => ServiceListener.TryOpen("", out ServiceListener l));
        p.Check("ServiceListener.TryRegister(\"no-slash\") is refused", !ServiceListener.TryRegister("no-slash", out ServiceListener none));
        p.Check("EndpointHandle.TryBind of an unknown name fails", !EndpointHandle.TryBind("/hostile/nobody", out EndpointHandle y));
    }

    private static MessageFrame FourHandles()
    {
        var f = new MessageFrame();
        for (int i = 0; i < 4; i++) f.PutEndpoint(default);
        return f;
    }

    private static void ProcessesApi(Probes p)
    {
        p.Refused("Processes.Start(null)", () => Processes.Start(null, ""));
        p.Refused("Processes.Start(\"\")", () => Processes.Start("", ""));
        p.Refused("Processes.Start(65 characters)", () => Processes.Start(Probes.Repeat('h', 65), ""));
        p.Refused("Processes.Start(arguments of 1025 characters)", () => Processes.Start("hostile", Probes.Repeat('a', 1025)));
        p.Refused("Processes.Start(\"nosuchmodule\")", () => Processes.Start("nosuchmodule", ""));
        int[] idValues14 = Probes.Values(-1, 0, int.MinValue, int.MaxValue);
        for (int k14 = 0; k14 < idValues14.Length; k14++)
        {
            int id = idValues14[k14];
            p.Check("Processes.Wait(" + id.ToString() + ") names no SIP", Processes.Wait(id, 0, out int code) == SipOutcome.Unknown);
            p.Check("Processes.Kill(" + id.ToString() + ") is refused", !Processes.Kill(id));
        }
        p.Check("Processes.Kill of itself is refused", !Processes.Kill(Sip.Id));
    }

    /// <summary>Lengths whose sums or products overflow.</summary>
    public static int Overflow()
    {
        var p = new Probes("overflow");
        // count * sizeof(T) wraps in 32 bits: 0x20000001 longs are 8 bytes after the wrap.
        var nValues15 = new int[3];
        nValues15[0] = 0x20000001; nValues15[1] = 0x10000001; nValues15[2] = int.MaxValue / 4;
        for (int k15 = 0; k15 < nValues15.Length; k15++)
        {
            int n = nValues15[k15];
            try
            {
                int len = NewArrayLength(n);
                p.Fail("ExArray<long>.Allocate(" + n.ToString() + ") gave an array of " + len.ToString() + " elements");
            }
            catch (Exception e) { Clean(p, "ExArray<long>.Allocate(" + n.ToString() + ")", e); }
        }
        // Lengths that sum past int.MaxValue: 32,769 copies of a 65,536-character string.
        string s = "y";
        while (s.Length < 65536) s = s + s;
        var parts = new string[32769];
        for (int i = 0; i < parts.Length; i++) parts[i] = s;
        p.Refused("string.Concat of 2^31 + 65,536 characters", () => string.Concat(parts));
        ExBuffer b = ExBuffer.Allocate(4096);
        try
        {
            RefusedOn(p, "CopyFrom(4096 bytes, int.MaxValue - 100)", b, x => x.CopyFrom(new byte[4096], int.MaxValue - 100));
            RefusedOn(p, "CopyTo(4096 bytes, int.MaxValue - 100)", b, x => x.CopyTo(new byte[4096], int.MaxValue - 100));
            RefusedOn(p, "ReadInt64(int.MaxValue - 3)", b, x => x.ReadInt64(int.MaxValue - 3));
        }
        finally { b.Free(); }
        p.Refused("Substring(2, int.MaxValue - 1)", () => "abcdef".Substring(2, int.MaxValue - 1));
        p.Refused("Substring(int.MaxValue, int.MaxValue)", () => "abcdef".Substring(int.MaxValue, int.MaxValue));
        p.Check("Thread.Sleep(1) still works", SleepWorks());
        return p.Finish();
    }

    private static bool SleepWorks()
    {
        ulong before = Clock.NowMs;
        Thread.Sleep(1);
        return Clock.NowMs >= before;
    }
}
