using System.Text.Json;

namespace Singularity.Verifier.Fuzz;

/// <summary>
/// A worker process: reads input numbers from stdin, one per line, makes each input, checks it
/// against the oracle and answers with one line "R {json Outcome}". The driver runs the verifier
/// in workers so that a crash the catch-all cannot stop (a stack overflow) or a hang costs one
/// worker, which the driver restarts, and is reported against the input that caused it.
/// </summary>
public static class Worker
{
    public static int Run(int seed, int cliEvery, string scratch)
    {
        var inputs = new Inputs(Seeds.Load(), seed);
        var oracle = new Oracle(scratch);
        var stdout = Console.Out;
        stdout.WriteLine("READY");
        stdout.Flush();
        string line;
        while ((line = Console.In.ReadLine()) != null)
        {
            if (!long.TryParse(line, out long index)) continue;
            Outcome outcome;
            FuzzInput input = null;
            try
            {
                input = inputs.Create(index);
                outcome = oracle.Check(input, cliEvery > 0 && index % cliEvery == 0);
            }
            catch (Exception e)
            {
                // The fuzzer itself failed (a generator or emitter bug): reported, so it is fixed too.
                outcome = new Outcome(index, input?.Mutator ?? "?", input?.Seed ?? "?", -1, Array.Empty<string>(), 0, false, "fuzzer error", e.ToString());
            }
            stdout.WriteLine("R " + JsonSerializer.Serialize(outcome));
            stdout.Flush();
        }
        return 0;
    }
}
