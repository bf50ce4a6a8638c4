using Singularity.Verifier.Fuzz;

// Verifier.Fuzz: `./sing fuzz verifier --count N [--seed S] [--jobs J] ...` (see Usage), and the
// worker processes the driver starts (`worker`).
internal static class Program
{
    private static int Main(string[] args)
    {
        try
        {
            if (args.Length > 0 && args[0] == "worker")
            {
                int seed = 1, cli = 0;
                string scratch = Path.Combine(Path.GetTempPath(), "sing-fuzz-worker-" + Environment.ProcessId);
                for (int i = 1; i + 1 < args.Length; i += 2)
                {
                    switch (args[i])
                    {
                        case "--seed": seed = int.Parse(args[i + 1]); break;
                        case "--cli-every": cli = int.Parse(args[i + 1]); break;
                        case "--scratch": scratch = args[i + 1]; break;
                    }
                }
                return Worker.Run(seed, cli, scratch);
            }
            if (args.Length == 3 && args[0] == "input")
            {
                // Writes input I of seed 1 (or --seed via FUZZ_SEED) to a file, to look at it with other tools.
                int seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out int s) ? s : 1;
                var input = new Inputs(Seeds.Load(), seed).Create(long.Parse(args[1]));
                File.WriteAllBytes(args[2], input.Bytes);
                Console.Out.WriteLine($"{input.Mutator} of {input.Seed}: {input.Description}");
                if (input.Program != null) Console.Out.Write(input.Program);
                return 0;
            }
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help") { Usage(Console.Out); return 0; }
            if (args.Contains("-h") || args.Contains("--help")) { Usage(Console.Out); return 0; }
            if (args[0] != "verifier") { Console.Error.WriteLine($"fuzz: unknown target '{args[0]}' (only 'verifier')"); Usage(Console.Error); return 2; }
            var o = new FuzzOptions();
            for (int i = 1; i < args.Length; i++)
            {
                string a = args[i];
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value");
                switch (a)
                {
                    case "--count": o.Count = long.Parse(Next()); break;
                    case "--seed": o.Seed = int.Parse(Next()); break;
                    case "--start": o.Start = long.Parse(Next()); break;
                    case "--jobs": o.Jobs = int.Parse(Next()); break;
                    case "--cli-every": o.CliEvery = int.Parse(Next()); break;
                    case "--batch": o.BatchSize = int.Parse(Next()); break;
                    case "--max-batches": o.MaxBatches = int.Parse(Next()); break;
                    case "--no-run": o.MaxBatches = 0; break;
                    case "--out": o.OutDir = Path.GetFullPath(Next()); break;
                    default: throw new ArgumentException($"unknown option {a}");
                }
            }
            if (o.Count <= 0 || o.Jobs <= 0 || o.BatchSize <= 0) throw new ArgumentException("--count, --jobs and --batch take positive numbers");
            var report = Fuzzer.Run(o);
            Console.Out.Write(report.Summary());
            return report.Failures.Count == 0 ? 0 : 1;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine("fuzz: " + e.Message);
            Usage(Console.Error);
            return 2;
        }
    }

    private static void Usage(TextWriter w) => w.WriteLine(
        """
        usage: ./sing fuzz verifier [options]
          --count N        inputs to run (default 1000)
          --seed S         the run's seed (default 1); input I of seed S is always the same bytes
          --start I        first input number (default 0); with --count 1, reproduces input I
          --jobs J         worker processes (default 1)
          --cli-every K    also run every Kth input through sing-verify (default 250; 0: never)
          --batch B        admitted generated methods per SIP run through ilc and QEMU (default 500)
          --max-batches M  at most M SIP runs (default: all); --no-run: none
          --out DIR        where reproducers and the summary go (default artifacts/fuzz)
        exit status: 0 no oracle failure, 1 oracle failures (listed, with reproducers), 2 usage
        """);
}
