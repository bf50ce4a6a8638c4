using System;
using Singularity;
using Singularity.Channels;
using Singularity.Ipc;
using Singularity.Threading;

/// <summary>
/// A SIP whose stack is nearly full calls runtime APIs that enter the kernel. It recurses to a
/// depth, makes the call, returns, and tries one step deeper, until the stack overflows. The
/// overflow must happen in the SIP's own code: kernel code must never run out of the SIP's stack
/// (it once ran on it, so the guard page fired inside the kernel, mid-operation).
/// </summary>
internal static class StackEdge
{
    public static int Run(string api)
    {
        var p = new Probes("stackedge " + api);
        Func<int> call = Call(api);
        if (call == null) { p.Say("unknown api '" + api + "'"); return 2; }
        p.Say("sweeping");
        for (int depth = 0; depth < 100000; depth += 2)
            Dive(depth, call);
        p.Say("UNEXPECTED: never overflowed");
        return 1;
    }

    private static int Dive(int depth, Func<int> call) => depth == 0 ? call() : Dive(depth - 1, call) + 1;

    private static Func<int> Call(string api)
    {
        if (api == "sleep") return () => { Thread.Sleep(0); return 0; };
        if (api == "yield") return () => { Thread.Yield(); return 0; };
        if (api == "event")
        {
            var e = new Event(false, false);
            return () => { e.Set(); return e.Wait(1) ? 1 : 0; };
        }
        if (api == "exchange") return () => { ExBuffer b = ExBuffer.Allocate(64); b[3] = 1; int n = b.Length; b.Free(); return n; };
        if (api == "channel")
        {
            Wire.NewChannel(out Wire a, out Wire b);
            var txCell = new TRef<Wire>(a);
            var rxCell = new TRef<Wire>(b);
            return () =>
            {
                Wire tx = txCell.Acquire();
                Wire rx = rxCell.Acquire();
                try
                {
                    var m = new MessageFrame { Tag = 1 };
                    tx.Send(ref m);
                    rx.Receive(out MessageFrame r, 10);
                    return r.Tag;
                }
                finally
                {
                    txCell.Release(tx);
                    rxCell.Release(rx);
                }
            };
        }
        if (api == "select")
        {
            Wire.NewChannel(out Wire a, out Wire b);
            var aCell = new TRef<Wire>(a);
            var bCell = new TRef<Wire>(b);
            return () =>
            {
                Wire x = aCell.Acquire();
                Wire y = bCell.Acquire();
                try { return EndpointSet.Select(new Endpoint[] { x, y }, 1); }
                finally
                {
                    aCell.Release(x);
                    bCell.Release(y);
                }
            };
        }
        if (api == "names") return () =>
        {
            if (!EndpointHandle.TryBind("/hostile/nobody", out EndpointHandle e)) return 0;
            Wire w = Wire.From(e);
            w.Close();
            return 1;
        };
        if (api == "process") return () => (int)Processes.Wait(-1, 1, out int code);
        if (api == "write") return () => { Debug.Write(""); Debug.Write("."); return 0; };
        if (api == "info") return () => (int)SystemInfo.Memory().LiveSips;
        return null;
    }
}
