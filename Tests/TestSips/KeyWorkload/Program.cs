using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

// `rounds=N`: N rounds of typing through the keyboard driver (SIPs/Drivers/Keyboard). For each
// attempt it prints `keyworkload: type S` (S counts the attempts from 1); the campaign harness
// answers by typing Line(S) and Enter through QEMU's monitor (TrialBatch, KeyboardWorkload.Line
// computes the same text). The keys arrive over /service/keyboard, and the line they make is
// judged at Enter:
//   - it ends with Line(S), and what comes before is the tail of an earlier attempt's line (keys
//     QEMU still held for a driver that died mid-line, delivered to its restart): the round is ok;
//   - it is a proper tail of Line(S) (at least the Enter), as the first line of a binding (the
//     first keys went before the subscription reached the driver, or to a driver that was
//     restarting): the round is tried again with a new S, and the binding's next lines must be whole;
//   - anything else (a wrong key, keys out of order, missing or extra keys while the driver was
//     serving) is wrong: data lost.
// Keys lost while the driver is down are expected: when the channel closes the workload binds
// again (waiting up to 10 s) and the round is typed again. An attempt that sees no key for 3 s is
// tried again too. It gives up after 5 rebinds, 3 attempts in a row without a finished round, or
// N + 8 attempts. Before its first request, and after its last round, it takes keys until none
// has come for 300 ms (at most 64 keys): keys of an earlier trial that its driver never delivered, or of
// this trial's requests that a faulty driver delivered late, are not judged in the wrong trial.
// The last line is the verdict the campaign classifies a trial by:
//   workload: rounds=N ok=K wrong=W rebinds=R gaveup=0|1 retries=T
public static class Program
{
    private const int MaxRebinds = 5;
    private const int KeyWaitMs = 3000;
    private const int ExtraAttempts = 8;
    private const int QuietMs = 300, MaxDrained = 64;

    // What the rounds came to so far.
    private sealed class Tally
    {
        public int Rounds, Round = 1, Attempt, Ok, Wrong, Rebinds, Retries, Fruitless;
        public bool GaveUp;
    }

    public static int Main()
    {
        var t = new Tally { Rounds = 5 };
        string[] args = Singularity.Text.Words.Split(Sip.Arguments);
        for (int i = 0; i < args.Length; i++)
            if (args[i].StartsWith("rounds=")) t.Rounds = int.Parse(args[i].Substring(7));
        while (t.Round <= t.Rounds && !t.GaveUp)
        {
            KeyboardContract.Bind(KeyCodes.ServiceName, out KeyboardContract.Imp keys, 10000);
            if (keys == null) { t.GaveUp = true; break; }
            if (Serve(keys, t, t.Attempt == 0))
            {
                t.Rebinds++;
                t.Fruitless++;
                if (t.Rebinds > MaxRebinds) t.GaveUp = true;
            }
        }
        Debug.WriteLine("workload: rounds=" + t.Rounds.ToString() + " ok=" + t.Ok.ToString() + " wrong=" + t.Wrong.ToString()
            + " rebinds=" + t.Rebinds.ToString() + " gaveup=" + (t.GaveUp ? "1" : "0") + " retries=" + t.Retries.ToString());
        return 0;
    }

    // Rounds on one binding until they are done, the workload gives up, or the channel closes (then true); the binding is closed after.
    private static bool Serve([Claims, State("Streaming")] KeyboardContract.Imp keys, Tally t, bool first)
    {
        try
        {
            // Keys typed for an earlier trial that its driver never delivered (it hung, or the
            // trial ended first) reach this trial's driver: let them pass before the first request.
            if (first && Drain(keys)) return true;
            bool closed = Rounds(keys, t);
            // Keys still coming for this trial's requests (a driver that doubles keys runs behind)
            // are taken here, not left to the next trial.
            if (!closed) Drain(keys);
            return closed;
        }
        finally { keys.Close(); }
    }

    // Takes keys until none has come for QuietMs (at most MaxDrained keys); true when the channel closed.
    private static bool Drain([State("Streaming")] KeyboardContract.Imp keys)
    {
        int dropped = 0;
        for (int i = 0; i < MaxDrained; i++)
        {
            ReceiveResult r = keys.RecvKey(out int key, out int modifiers, QuietMs);
            if (r == ReceiveResult.TimedOut) break;
            if (r != ReceiveResult.Message) return true;
            dropped++;
        }
        if (dropped > 0) Debug.WriteLine("keyworkload: " + dropped.ToString() + " keys that no request of this trial asked for");
        return false;
    }

    private static bool Rounds([State("Streaming")] KeyboardContract.Imp keys, Tally t)
    {
        bool fresh = true;      // no line delivered on this binding yet
        while (t.Round <= t.Rounds)
        {
            if (t.Attempt >= t.Rounds + ExtraAttempts || t.Fruitless >= 3) { t.GaveUp = true; break; }
            t.Attempt++;
            string expected = Line(t.Attempt);
            Debug.WriteLine("keyworkload: type " + t.Attempt.ToString());
            string line = "";
            int outcome = 0;     // 1 round ok, 2 round wrong, 3 try again, 4 channel closed
            while (outcome == 0)
            {
                ReceiveResult r = keys.RecvKey(out int key, out int modifiers, KeyWaitMs);
                if (r == ReceiveResult.Message)
                {
                    if (key != KeyCodes.Enter)
                    {
                        line = line + (key >= 32 && key < 127 ? ((char)key).ToString() : "?");
                        continue;
                    }
                    if (EndsWith(line, expected) && IsStaleTail(line.Substring(0, line.Length - expected.Length), t.Attempt)) outcome = 1;
                    // A tail (even only the Enter) on a fresh binding: the keys before it went before
                    // the subscription reached the driver. Only the first line of a binding can be one.
                    else if (fresh && line.Length < expected.Length && EndsWith(expected, line)) { outcome = 3; fresh = false; }
                    else if (line.Length > 0 && IsStaleTail(line, t.Attempt)) line = "";     // a late line of an earlier attempt: wait on
                    else outcome = 2;
                }
                else if (r == ReceiveResult.TimedOut) outcome = line.Length == 0 || fresh ? 3 : 2;
                else outcome = 4;
            }
            if (outcome == 4) return true;
            if (outcome == 3)
            {
                Debug.WriteLine("keyworkload: attempt " + t.Attempt.ToString() + " got '" + line + "'; again");
                t.Retries++;
                t.Fruitless++;
                continue;
            }
            if (outcome == 2)
            {
                Debug.WriteLine("keyworkload: attempt " + t.Attempt.ToString() + " got '" + line + "', expected '" + expected + "'");
                t.Wrong++;
            }
            else t.Ok++;
            t.Round++;
            fresh = false;
            t.Fruitless = 0;
        }
        return false;
    }

    /// <summary>The line attempt S asks for: S's digits, a space and six letters that depend on S.</summary>
    public static string Line(int s)
    {
        string text = s.ToString() + " ";
        for (int i = 0; i < 6; i++) text = text + ((char)('a' + (s * 7 + i * 5) % 26)).ToString();
        return text;
    }

    // Whether `text` is empty or a tail of the line of some attempt before `attempt`.
    private static bool IsStaleTail(string text, int attempt)
    {
        if (text.Length == 0) return true;
        for (int s = 1; s < attempt; s++)
            if (EndsWith(Line(s), text)) return true;
        return false;
    }

    private static bool EndsWith(string text, string tail)
    {
        if (tail.Length > text.Length) return false;
        int offset = text.Length - tail.Length;
        for (int i = 0; i < tail.Length; i++)
            if (text[offset + i] != tail[i]) return false;
        return true;
    }
}
