using System.Diagnostics;
using System.Text.RegularExpressions;
using Singularity.Verifier;

namespace Singularity.Verifier.Fuzz;

/// <summary>What one input did: the verdict and, if the oracle was broken, how.</summary>
public sealed record Outcome(long Index, string Mutator, string Seed, int Exit, string[] Codes, double Ms, bool Cli, string Failure, string Detail);

/// <summary>
/// The oracle for one input, run in process: the verifier returns (no exception escapes; the
/// catch-all around it counts one as a failure), exit is 0, 1 or 2 and agrees with the codes
/// (2 exactly when an SV00xx code is reported), every code is SV0nnn, no SV0005 (an exception
/// inside the verifier), one verification takes under 5 s, and a generated program, which is
/// always a well-formed assembly, never exits 2 (and one the grammar built valid verifies). On a
/// sample the CLI must agree with the in-process result, line for line and in its exit code.
/// </summary>
public sealed class Oracle
{
    public const double SlowMs = 5000;
    private static readonly Regex CodeShape = new(@"^SV0\d{3}$", RegexOptions.Compiled);
    private readonly string _dir;
    private readonly string _file;

    public Oracle(string scratch)
    {
        _dir = scratch;
        Directory.CreateDirectory(_dir);
        _file = Path.Combine(_dir, "input.dll");
    }

    public static VerifierOptions Options()
    {
        var o = new VerifierOptions();
        foreach (var d in Paths.ReferenceDirs) o.ReferencePaths.Add(d);
        return o;
    }

    public Outcome Check(FuzzInput input, bool throughCli)
    {
        File.WriteAllBytes(_file, input.Bytes);
        var (result, ms, escaped) = Run();
        if (escaped == null && ms > SlowMs)
        {
            // A slow run on a loaded machine is confirmed once before it counts.
            var again = Run();
            if (again.Escaped == null) ms = Math.Min(ms, again.Ms);
        }
        string failure = null, detail = null;
        int exit = result?.ExitCode ?? -1;
        var codes = result?.Violations.Select(v => v.Code).Distinct().OrderBy(c => c, StringComparer.Ordinal).ToArray() ?? Array.Empty<string>();
        if (escaped != null) { failure = "exception escaped"; detail = escaped.ToString(); }
        else if (result.InternalError != null || codes.Contains(Codes.InternalError)) { failure = "internal error (SV0005)"; detail = result.InternalError?.ToString() ?? string.Join("\n", result.Violations); }
        else if (exit is < 0 or > 2) { failure = "exit code"; detail = $"exit {exit}"; }
        else if (codes.Any(c => !CodeShape.IsMatch(c))) { failure = "bad code"; detail = string.Join(" ", codes); }
        else if ((exit == 2) != codes.Any(Codes.IsInputError) || (exit == 0) != (codes.Length == 0)) { failure = "exit code"; detail = $"exit {exit} with {string.Join(" ", codes)}"; }
        else if (ms > SlowMs) { failure = "slow"; detail = $"{ms:0} ms"; }
        else if (input.Program != null && exit == 2) { failure = "generated program reported unusable"; detail = Lines(result) + "\n" + input.Program; }
        else if (input.Program != null && input.Program.Valid && exit != 0) { failure = "valid generated program rejected"; detail = Lines(result) + "\n" + input.Program; }
        if (failure == null && throughCli)
        {
            var cli = RunCli();
            string expected = Lines(result);
            if (cli.Exit != exit) { failure = "CLI disagrees"; detail = $"in process exit {exit}, CLI exit {cli.Exit}\n{cli.Stdout}{cli.Stderr}"; }
            else if (cli.Stdout.TrimEnd() != expected.TrimEnd()) { failure = "CLI disagrees"; detail = $"in process:\n{expected}\nCLI:\n{cli.Stdout}{cli.Stderr}"; }
            else if (cli.Stderr.Contains("internal error") || cli.Stderr.Contains("Unhandled exception")) { failure = "CLI internal error"; detail = cli.Stderr; }
        }
        return new Outcome(input.Index, input.Mutator, input.Seed, exit, codes, Math.Round(ms, 1), throughCli, failure, detail);
    }

    private static string Lines(VerificationResult r) => string.Join("\n", r.Violations.Select(v => v.ToString()));

    private (VerificationResult Result, double Ms, Exception Escaped) Run()
    {
        var sw = Stopwatch.StartNew();
        try
        {
            var r = AssemblyVerifier.VerifyFile(_file, Options());
            return (r, sw.Elapsed.TotalMilliseconds, null);
        }
        catch (Exception e)
        {
            return (null, sw.Elapsed.TotalMilliseconds, e);
        }
    }

    private (int Exit, string Stdout, string Stderr) RunCli()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Paths.Cli);
        psi.ArgumentList.Add("-q");
        foreach (var d in Paths.ReferenceDirs) { psi.ArgumentList.Add("-r"); psi.ArgumentList.Add(d); }
        psi.ArgumentList.Add(_file);
        using var p = Process.Start(psi);
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { try { p.Kill(true); } catch (InvalidOperationException) { } return (-1, "", "sing-verify did not finish in 120 s"); }
        return (p.ExitCode, o.Result, e.Result);
    }
}
