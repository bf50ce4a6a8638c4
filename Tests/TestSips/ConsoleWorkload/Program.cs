using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

// `rounds=N`: N numbered lines written through the console service (/service/console,
// ConsoleContract), one Write each, the next only after the Ack of the one before. Line k is
// `cw K TEXT` with a text that depends on k (ConsoleWorkload.Line in the harness computes the
// same). When the channel closes or an Ack does not come within 3 s, the line is written again on
// a new binding (the supervisor restarts the service; a service that died after printing but
// before its Ack prints that line twice); after 5 rebinds, or when binding takes over 10 s, it
// gives up. It cannot see the serial line itself: the harness checks that every acknowledged line
// is on it whole and in order (TrialBatch, ConsoleWorkload.CheckLog). The last line is the
// verdict, written to the kernel log (not through the service under test):
//   workload: rounds=N ok=K wrong=0 rebinds=R gaveup=0|1      (ok: lines acknowledged)
public static class Program
{
    private const int MaxRebinds = 5;

    public static int Main()
    {
        int rounds = 20;
        string[] args = Singularity.Text.Words.Split(Sip.Arguments);
        for (int i = 0; i < args.Length; i++)
            if (args[i].StartsWith("rounds=")) rounds = int.Parse(args[i].Substring(7));
        int ok = 0, rebinds = 0;
        bool gaveUp = false;
        int k = 1;
        while (k <= rounds && !gaveUp)
        {
            ConsoleContract.Bind("/service/console", out ConsoleContract.Imp console, 10000);
            if (console == null) { gaveUp = true; break; }
            k = Write(console, k, rounds, ref ok);
            if (k <= rounds)
            {
                rebinds++;
                if (rebinds > MaxRebinds) gaveUp = true;
            }
        }
        Debug.WriteLine("workload: rounds=" + rounds.ToString() + " ok=" + ok.ToString() + " wrong=0 rebinds=" + rebinds.ToString()
            + " gaveup=" + (gaveUp ? "1" : "0"));
        return 0;
    }

    /// <summary>Line k as written (without its newline): `cw K ` and 40 letters that depend on k.</summary>
    public static string Line(int k)
    {
        string text = "cw " + k.ToString() + " ";
        for (int i = 0; i < 40; i++) text = text + ((char)('a' + (k * 11 + i * 3) % 26)).ToString();
        return text;
    }

    // Lines from `k` on one binding, which is closed after; returns the first line not acknowledged (rounds + 1 when all were).
    private static int Write([Claims, State("Ready")] ConsoleContract.Imp console, int k, int rounds, ref int ok)
    {
        try { return Lines(console, k, rounds, ref ok); }
        finally { console.Close(); }
    }

    private static int Lines([State("Ready")] ConsoleContract.Imp console, int k, int rounds, ref int ok)
    {
        while (k <= rounds)
        {
            string text = Line(k) + "\n";
            ExBuffer buffer = ExBuffer.Allocate(text.Length);
            for (int i = 0; i < text.Length; i++) buffer[i] = (byte)text[i];
            console.SendWrite(buffer);
            if (console.RecvAck(3000) != ReceiveResult.Message) return k;
            ok++;
            k++;
        }
        return k;
    }
}
