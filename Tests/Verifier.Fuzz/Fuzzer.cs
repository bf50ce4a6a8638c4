using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Singularity.Verifier.Fuzz;

public sealed class FuzzOptions
{
    public long Count { get; set; } = 1000;
    public int Seed { get; set; } = 1;
    public long Start { get; set; }
    public int Jobs { get; set; } = 1;
    /// <summary>Every Nth input also goes through the sing-verify CLI (0: never).</summary>
    public int CliEvery { get; set; } = 250;
    /// <summary>Admitted generated methods per SIP batch.</summary>
    public int BatchSize { get; set; } = 500;
    /// <summary>At most this many batches go through ilc and QEMU (-1: all; 0: none).</summary>
    public int MaxBatches { get; set; } = -1;
    public string OutDir { get; set; } = Paths.DefaultOut;
    /// <summary>A worker that does not answer within this time is taken as hung.</summary>
    public TimeSpan HangAfter { get; set; } = TimeSpan.FromSeconds(120);
    public Action<string> Log { get; set; } = Console.Error.WriteLine;
}

/// <summary>One oracle failure, with the file that reproduces it.</summary>
public sealed record Failure(long Index, string Mutator, string Seed, string Kind, string Detail, string Reproducer);

public sealed class FuzzReport
{
    public FuzzOptions Options { get; init; }
    public Dictionary<string, int[]> Verdicts { get; } = Fuzz.Inputs.Mutators.ToDictionary(m => m, _ => new int[3]);
    public Dictionary<string, int> Inputs { get; } = Fuzz.Inputs.Mutators.ToDictionary(m => m, _ => 0);
    public List<Failure> Failures { get; } = new();
    public int CliRuns { get; set; }
    public double TotalMs { get; set; }
    public double MaxMs { get; set; }
    public long SlowestIndex { get; set; }
    public int Restarts { get; set; }
    public int AdmittedValid { get; set; }
    public int AdmittedWrong { get; set; }
    public int Batches { get; set; }
    public int MethodsRun { get; set; }
    public int Caught { get; set; }
    public int MethodsNotRun { get; set; }
    public TimeSpan Elapsed { get; set; }
    public TimeSpan BatchTime { get; set; }
    public long Total => Inputs.Values.Sum();

    public string Summary()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"fuzz verifier: {Total} inputs (#{Options.Start}..#{Options.Start + Options.Count - 1}), seed {Options.Seed}, {Options.Jobs} job(s), {Elapsed:hh\\:mm\\:ss}");
        sb.AppendLine($"{"mutator",-14} {"inputs",8} {"exit 0",8} {"exit 1",8} {"exit 2",8} {"failures",9}");
        foreach (var m in Fuzz.Inputs.Mutators)
            sb.AppendLine($"{m,-14} {Inputs[m],8} {Verdicts[m][0],8} {Verdicts[m][1],8} {Verdicts[m][2],8} {Failures.Count(f => f.Mutator == m),9}");
        sb.AppendLine($"{"total",-14} {Total,8} {Verdicts.Values.Sum(v => v[0]),8} {Verdicts.Values.Sum(v => v[1]),8} {Verdicts.Values.Sum(v => v[2]),8} {Failures.Count,9}");
        sb.AppendLine($"verification time: mean {(Total == 0 ? 0 : TotalMs / Total):0.0} ms, slowest {MaxMs:0} ms (#{SlowestIndex}); through the CLI as well: {CliRuns} inputs; worker restarts: {Restarts}");
        sb.AppendLine($"admitted generated methods: {AdmittedValid} valid, {AdmittedWrong} one-step-wrong; run in {Batches} SIP batch(es) (ilc + QEMU, {BatchTime:hh\\:mm\\:ss}): {MethodsRun} ran to the end, {Caught} ended in a caught managed exception, {MethodsNotRun} not run");
        sb.AppendLine($"oracle failures: {Failures.Count}");
        foreach (var f in Failures.Take(50))
            sb.AppendLine($"  #{f.Index} {f.Mutator} ({f.Seed}): {f.Kind}: {FirstLine(f.Detail)}\n    reproducer: {f.Reproducer}");
        return sb.ToString();
    }

    private static string FirstLine(string s) { s ??= ""; int n = s.IndexOf('\n'); return n < 0 ? s : s[..n]; }
}

/// <summary>
/// The driver: hands input numbers to J worker processes (each runs the oracle in process),
/// restarts a worker that crashes or hangs and charges that input with it, counts verdicts per
/// mutator, saves a reproducer for every oracle failure under the output directory, and sends
/// the generated programs the verifier admits, in batches, through ilc and QEMU (SipBatch).
/// </summary>
public sealed class Fuzzer
{
    private readonly FuzzOptions _o;
    private readonly FuzzReport _report;
    private readonly object _lock = new();
    private readonly Inputs _inputs;
    private readonly List<Admitted> _admitted = new();
    private readonly List<List<Admitted>> _batchQueue = new();
    private long _next;
    private int _batchesQueued;

    private Fuzzer(FuzzOptions o)
    {
        _o = o;
        _report = new FuzzReport { Options = o };
        _inputs = new Inputs(Seeds.Load(), o.Seed);
    }

    public static FuzzReport Run(FuzzOptions o) => new Fuzzer(o).Go();

    private FuzzReport Go()
    {
        var sw = Stopwatch.StartNew();
        Directory.CreateDirectory(_o.OutDir);
        if (!File.Exists(Paths.Self)) throw new InvalidOperationException($"the fuzzer is not built ({Paths.Self}); run ./sing build");
        _next = _o.Start;
        // The regression programs open the first batch (input numbers -1, -2, ...).
        if (_o.MaxBatches != 0)
            for (int k = 0; k < Grammar.Regressions.All.Count; k++) _admitted.Add(new Admitted(-(k + 1), Grammar.Regressions.All[k].Program));
        var batchThread = new Thread(BatchLoop) { IsBackground = true, Name = "batches" };
        batchThread.Start();
        var workers = Enumerable.Range(0, Math.Max(1, _o.Jobs)).Select(k => new Thread(() => WorkerLoop(k)) { Name = "worker " + k }).ToList();
        foreach (var t in workers) t.Start();
        foreach (var t in workers) t.Join();
        lock (_lock)
        {
            if (_admitted.Count > 0) QueueBatch();
            _batchQueue.Add(null);   // end of batches
            Monitor.PulseAll(_lock);
        }
        batchThread.Join();
        _report.Elapsed = sw.Elapsed;
        File.WriteAllText(Path.Combine(_o.OutDir, $"summary-seed{_o.Seed}.txt"), _report.Summary());
        return _report;
    }

    // ----- workers ----------------------------------------------------------------------------

    private sealed class WorkerProcess : IDisposable
    {
        public Process P;
        public string Scratch;
        public void Dispose()
        {
            try { if (!P.HasExited) P.Kill(true); } catch (InvalidOperationException) { }
            P.Dispose();
        }
    }

    private WorkerProcess Start(int k)
    {
        string scratch = Path.Combine(Path.GetTempPath(), $"sing-fuzz-{Environment.ProcessId}-{k}");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Paths.Self, "worker", "--seed", _o.Seed.ToString(), "--cli-every", _o.CliEvery.ToString(), "--scratch", scratch }) psi.ArgumentList.Add(a);
        var p = Process.Start(psi);
        p.ErrorDataReceived += (_, e) => { };
        p.BeginErrorReadLine();
        var w = new WorkerProcess { P = p, Scratch = scratch };
        string ready = ReadLine(w, TimeSpan.FromMinutes(5));
        if (ready != "READY") throw new InvalidOperationException($"fuzz worker {k} did not start ({ready ?? "no answer"})");
        return w;
    }

    /// <summary>One line from the worker, or null if it died or said nothing for <paramref name="timeout"/>.</summary>
    private static string ReadLine(WorkerProcess w, TimeSpan timeout)
    {
        var t = w.P.StandardOutput.ReadLineAsync();
        return t.Wait(timeout) ? t.Result : null;
    }

    private void WorkerLoop(int k)
    {
        WorkerProcess w = null;
        try
        {
            w = Start(k);
            while (true)
            {
                long i = Interlocked.Increment(ref _next) - 1;
                if (i >= _o.Start + _o.Count) break;
                w.P.StandardInput.WriteLine(i.ToString());
                w.P.StandardInput.Flush();
                string line;
                do line = ReadLine(w, _o.HangAfter); while (line != null && !line.StartsWith("R ", StringComparison.Ordinal));
                if (line == null)
                {
                    bool hung = !w.P.WaitForExit(10_000);
                    string exit = hung ? "" : w.P.ExitCode.ToString();
                    w.Dispose();
                    var input = _inputs.Create(i);
                    Record(new Outcome(i, input.Mutator, input.Seed, -1, Array.Empty<string>(), 0, false, hung ? "hang" : "crash",
                        hung ? $"no verdict within {_o.HangAfter.TotalSeconds:0} s" : $"the worker process died (exit {exit}): an exception the catch-all cannot stop (stack overflow?)"), input);
                    lock (_lock) _report.Restarts++;
                    w = Start(k);
                    continue;
                }
                var outcome = JsonSerializer.Deserialize<Outcome>(line[2..]);
                Record(outcome, null);
            }
        }
        finally { w?.Dispose(); }
    }

    private void Record(Outcome o, FuzzInput input)
    {
        // Admitted generated programs are regenerated here (inputs depend only on seed and index) for the batch run.
        Admitted admitted = null;
        if (o.Failure == null && o.Exit == 0 && o.Mutator.StartsWith("grammar", StringComparison.Ordinal))
            admitted = new Admitted(o.Index, (input ?? _inputs.Create(o.Index)).Program);
        if (o.Failure != null) input ??= _inputs.Create(o.Index);
        lock (_lock)
        {
            _report.Inputs[o.Mutator] = _report.Inputs.GetValueOrDefault(o.Mutator) + 1;
            if (o.Exit is >= 0 and <= 2) _report.Verdicts[o.Mutator][o.Exit]++;
            _report.TotalMs += o.Ms;
            if (o.Ms > _report.MaxMs) { _report.MaxMs = o.Ms; _report.SlowestIndex = o.Index; }
            if (o.Cli) _report.CliRuns++;
            if (o.Failure != null) AddFailure(o.Index, o.Mutator, o.Seed, o.Failure, o.Detail, input.Bytes, input.Description, input.Program?.ToString());
            if (admitted != null)
            {
                _admitted.Add(admitted);
                if (admitted.Program.Valid) _report.AdmittedValid++; else _report.AdmittedWrong++;
                if (_admitted.Count >= _o.BatchSize) QueueBatch();
            }
            long done = _report.Total;
            if (done % 1000 == 0) _o.Log($"fuzz: {done}/{_o.Count} inputs, {_report.Failures.Count} oracle failure(s)");
        }
    }

    private void AddFailure(long index, string mutator, string seed, string kind, string detail, byte[] bytes, string description, string program)
    {
        string stem = Path.Combine(_o.OutDir, $"s{_o.Seed}-{index}-{mutator}");
        if (bytes != null) File.WriteAllBytes(stem + ".dll", bytes);
        File.WriteAllText(stem + ".txt",
            $"input #{index} of seed {_o.Seed}: {mutator} of {seed}\n{description}\n\noracle failure: {kind}\n{detail}\n" + (program == null ? "" : "\nprogram:\n" + program) +
            $"\nreproduce: ./sing verify {stem}.dll -r Kernel/SipRuntime/bin/Release/net10.0 -r Contracts/bin/Release/net10.0  (or: ./sing fuzz verifier --seed {_o.Seed} --start {index} --count 1)\n");
        _report.Failures.Add(new Failure(index, mutator, seed, kind, detail, stem + (bytes != null ? ".dll" : ".txt")));
        _o.Log($"fuzz: ORACLE FAILURE #{index} {mutator} ({seed}): {kind}");
    }

    // ----- batches through ilc and QEMU -------------------------------------------------------

    private void QueueBatch()
    {
        if (_o.MaxBatches >= 0 && _batchesQueued >= _o.MaxBatches) { _report.MethodsNotRun += _admitted.Count; _admitted.Clear(); return; }
        _batchesQueued++;
        _batchQueue.Add(new List<Admitted>(_admitted));
        _admitted.Clear();
        Monitor.PulseAll(_lock);
    }

    private void BatchLoop()
    {
        string work = Path.Combine(Path.GetTempPath(), $"sing-fuzz-{Environment.ProcessId}-batches");
        int n = 0;
        while (true)
        {
            List<Admitted> batch;
            lock (_lock)
            {
                while (_batchQueue.Count == 0) Monitor.Wait(_lock);
                batch = _batchQueue[0];
                _batchQueue.RemoveAt(0);
            }
            if (batch == null) break;
            BatchResult r;
            try { r = SipBatch.Run($"fuzzbatch{n++}", batch, work, _o.Log); }
            catch (Exception e) { r = new BatchResult(batch.Count, 0, 0, new() { (batch[0].Index, "batch run failed", e.ToString(), null) }, TimeSpan.Zero, null); }
            lock (_lock)
            {
                _report.Batches++;
                _report.MethodsRun += r.Ran;
                _report.Caught += r.Caught;
                _report.MethodsNotRun += r.Methods - r.Ran;
                _report.BatchTime += r.Elapsed;
                foreach (var (index, failure, detail, program) in r.Failures)
                {
                    byte[] bytes = null;
                    if (program != null) { try { bytes = Grammar.Emitter.Single(program); } catch (Exception) { } }
                    AddFailure(index, program == null ? "grammar" : program.Valid ? "grammar" : "grammar-wrong", "FuzzGen", failure, detail, bytes, program?.Variant ?? "batch", program?.ToString());
                }
                _o.Log($"fuzz: batch of {r.Methods} methods: {r.Ran} ran, {r.Caught} caught exceptions, {r.Failures.Count} failure(s) ({r.Elapsed.TotalSeconds:0} s){(r.Note == null ? "" : "; " + r.Note)}");
            }
        }
    }
}
