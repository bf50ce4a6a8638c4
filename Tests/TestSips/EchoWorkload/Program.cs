using Singularity;
using Singularity.Channels;
using Singularity.Contracts;

// `rounds=N`: N round trips with the echo service over /service/echo-typed. Each Ping carries a
// 64-byte payload whose bytes depend on the sequence number; a Pong must return the same sequence
// number and the same bytes (else the round is "wrong": data lost or corrupted). When the channel
// closes or a reply does not come within 3 s the round is retried on a new binding (the
// supervisor restarts the service); after 5 rebinds, or when binding takes over 10 s, it gives up.
// The last line is the verdict the campaign classifies a trial by:
//   workload: rounds=N ok=K wrong=W rebinds=R gaveup=0|1
public static class Program
{
    private const int PayloadBytes = 64;
    private const int MaxRebinds = 5;

    public static int Main()
    {
        int rounds = 20;
        string[] args = Singularity.Text.Words.Split(Sip.Arguments);
        for (int i = 0; i < args.Length; i++)
            if (args[i].StartsWith("rounds=")) rounds = int.Parse(args[i].Substring(7));
        int ok = 0, wrong = 0, rebinds = 0;
        bool gaveUp = false;
        int seq = 1;
        while (seq <= rounds && !gaveUp)
        {
            EchoContract.Bind("/service/echo-typed", out EchoContract.Imp echo, 10000);
            if (echo == null) { gaveUp = true; break; }
            seq = Serve(echo, seq, rounds, ref ok, ref wrong);
            if (seq <= rounds)
            {
                rebinds++;
                if (rebinds > MaxRebinds) gaveUp = true;
            }
        }
        Debug.WriteLine("workload: rounds=" + rounds.ToString() + " ok=" + ok.ToString() + " wrong=" + wrong.ToString()
            + " rebinds=" + rebinds.ToString() + " gaveup=" + (gaveUp ? "1" : "0"));
        return 0;
    }

    // Round trips from `seq` on one binding; returns the first round not completed (rounds + 1 when all were).
    private static int Serve([Claims, State("Start")] EchoContract.Imp echo, int seq, int rounds, ref int ok, ref int wrong)
    {
        int busy = 0;
        while (seq <= rounds)
        {
            ExBuffer payload = ExBuffer.Allocate(PayloadBytes);
            for (int i = 0; i < PayloadBytes; i++) payload[i] = (byte)(seq * 7 + i);
            echo.SendPing(seq, payload);
            switch (echo.Receive(out EchoContract.Imp.Message reply, 3000))
            {
                case EchoContract.Imp.Tag.Pong:
                    reply.TakePong(out int got, out ExBuffer back);
                    // The same sequence number and the same bytes, or the round lost data.
                    bool intact = got == seq && !back.IsNull && back.Length == PayloadBytes;
                    for (int i = 0; intact && i < PayloadBytes; i++)
                        if (back[i] != (byte)(seq * 7 + i)) intact = false;
                    if (intact) ok++;
                    else wrong++;
                    if (!back.IsNull) back.Free();
                    seq++;
                    busy = 0;
                    break;
                case EchoContract.Imp.Tag.Busy:
                    reply.TakeBusy(out int busySeq, out ExBuffer returned);
                    if (!returned.IsNull) returned.Free();
                    if (++busy > 100) { wrong++; seq++; busy = 0; }
                    break;
                default:
                    echo.Close();
                    return seq;
            }
        }
        echo.SendBye();
        echo.Close();
        return seq;
    }
}
