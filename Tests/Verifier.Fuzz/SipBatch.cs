using System.Diagnostics;
using System.Text.RegularExpressions;
using Singularity.Testing;
using Singularity.Verifier;
using Singularity.Verifier.Fuzz.Grammar;

namespace Singularity.Verifier.Fuzz;

/// <summary>One admitted generated program waiting for its run: the input it came from and its body.</summary>
public sealed record Admitted(long Index, GProgram Program);

/// <summary>What a batch run found: methods run, exceptions the harness caught, and failures (the culprit input when one is known).</summary>
public sealed record BatchResult(int Methods, int Ran, int Caught, List<(long Index, string Failure, string Detail, GProgram Program)> Failures, TimeSpan Elapsed, string Note);

/// <summary>
/// Runs admitted generated programs for real: writes them into one SIP (one method each, and a
/// Main that calls each under try/catch), checks that the verifier admits the batch as a whole,
/// compiles it with ilc against the core library and the SIP runtime as SIPs/Sip.targets does,
/// links it with ld, boots the kernel in QEMU with it as the only module, and reads the serial
/// log. ilc must compile every method without finding invalid IL, and the SIP must run to the
/// end ("fz done") and exit 0: any fault but a managed exception (which the harness catches)
/// is an oracle failure, charged to the method that was running. After a failure the rest of
/// the batch runs again without that method, so one bad method does not hide the others.
/// </summary>
public static class SipBatch
{
    public static BatchResult Run(string name, List<Admitted> batch, string work, Action<string> log)
    {
        var sw = Stopwatch.StartNew();
        var failures = new List<(long, string, string, GProgram)>();
        int ran = 0, caught = 0;
        var pending = new List<Admitted>(batch);
        string note = null;
        for (int round = 0; pending.Count > 0 && round < 6; round++)
        {
            var r = RunOnce($"{name}r{round}", pending, work, log);
            ran += r.Ran;
            caught += r.Caught;
            failures.AddRange(r.Failures);
            if (r.Refused.Count > 0)
            {
                // ilc found invalid IL in some methods: run the batch again without them.
                pending = pending.Where(a => !r.Refused.Contains(a.Index)).ToList();
                continue;
            }
            if (r.Failures.Count == 0 || r.ResumeAt < 0) { if (r.Failures.Count > 0) note = "the rest of the batch was not run after a failure that names no method"; break; }
            // Run what came after the culprit again, without it.
            pending = pending.Skip(r.ResumeAt + 1).ToList();
        }
        return new BatchResult(batch.Count, ran, caught, failures, sw.Elapsed, note);
    }

    private sealed record Once(int Ran, int Caught, List<(long, string, string, GProgram)> Failures, int ResumeAt, HashSet<long> Refused = null)
    {
        public HashSet<long> Refused { get; init; } = Refused ?? new HashSet<long>();
    }

    private static Once RunOnce(string name, List<Admitted> batch, string work, Action<string> log)
    {
        var failures = new List<(long, string, string, GProgram)>();
        string dir = Path.Combine(work, name);
        Directory.CreateDirectory(dir);
        string dll = Path.Combine(dir, name + ".dll");
        File.WriteAllBytes(dll, Emitter.Batch(name, batch.Select(b => b.Program).ToList()));

        // The batch as a whole must verify: each method was admitted on its own.
        var v = AssemblyVerifier.VerifyFile(dll, Oracle.Options());
        if (!v.Verified)
        {
            failures.Add((batch[0].Index, "batch not admitted", $"the verifier admitted each method alone but refuses the batch {dll}:\n" + string.Join("\n", v.Violations.Take(40)), null));
            return new Once(0, 0, failures, -1);
        }

        // ilc, as SIPs/Sip.targets runs it.
        string obj = Path.Combine(dir, name + ".o");
        var ilc = Exec(Paths.Ilc, new[] { dll, Paths.Runtime, "-r", Paths.Corlib, "-o", obj, "--systemmodule:Singularity.Corlib", "--targetos:linux", "--targetarch:x64", "-O" }, TimeSpan.FromMinutes(20));
        // ilc names a method whose IL it finds invalid ("... will always throw because: ..."): the verifier admitted invalid IL.
        var refused = new HashSet<long>();
        foreach (Match m in Regex.Matches(ilc.Output, @"Fuzz\.P\.M(\d+)\([^\n]*", RegexOptions.Multiline))
        {
            int k = int.Parse(m.Groups[1].Value);
            if (k < batch.Count && refused.Add(batch[k].Index))
                failures.Add((batch[k].Index, "ilc refuses an admitted method", m.Value, batch[k].Program));
        }
        if (refused.Count > 0) return new Once(0, 0, failures, -1, refused);
        if (ilc.Exit != 0 || !File.Exists(obj))
        {
            failures.Add((batch[0].Index, "ilc failed on the batch", $"ilc exit {ilc.Exit}:\n{Tail(ilc.Output)}", null));
            return new Once(0, 0, failures, -1);
        }
        string elf = Path.Combine(dir, "fuzzbatch.elf");
        var objects = Directory.GetFiles(Paths.SipRuntimeObjects, "*.o").OrderBy(x => x, StringComparer.Ordinal);
        var ld = Exec("ld", new[] { "-m", "elf_x86_64", "--eh-frame-hdr", "-pie", "-static", "--no-dynamic-linker", "-z", "max-page-size=4096", "-z", "noexecstack", "--no-relax", "-T", Paths.SipLinkerScript, "-o", elf }.Concat(objects).Append(obj).ToArray(), TimeSpan.FromMinutes(5));
        if (ld.Exit != 0)
        {
            failures.Add((batch[0].Index, "ld failed on the batch", Tail(ld.Output), null));
            return new Once(0, 0, failures, -1);
        }

        log($"booting {name} ({batch.Count} methods)");
        var boot = QemuRunner.Boot(new BootOptions { CommandLine = "shutdown", Modules = new[] { elf }, MemoryMiB = 256, Timeout = TimeSpan.FromSeconds(120 + batch.Count / 2) });
        File.WriteAllText(Path.Combine(dir, "serial.log"), boot.Serial);
        string serial = boot.Serial;
        var started = Regex.Matches(serial, @"^fz (\d+)\r?$", RegexOptions.Multiline);
        int last = started.Count == 0 ? -1 : int.Parse(started[^1].Groups[1].Value);
        var done = Regex.Match(serial, @"^fz done (\d+) caught (\d+)", RegexOptions.Multiline);
        var failed = Regex.Match(serial, @"\bsip fuzzbatch#\d+ failed: ([^\r\n]*)");
        bool exited = Regex.IsMatch(serial, @"\bsip fuzzbatch#\d+ exited with code 0");
        bool panic = serial.Contains("KERNEL PANIC");
        if (done.Success && exited && !failed.Success && !panic)
            return new Once(batch.Count, int.Parse(done.Groups[2].Value), failures, -1);

        string why = panic ? "kernel panic" : failed.Success ? "SIP failed: " + failed.Groups[1].Value : done.Success ? "the SIP did not exit with 0" : $"the run ended ({boot.Exit}) before the harness finished";
        if (last >= 0 && last < batch.Count)
        {
            failures.Add((batch[last].Index, "fault running an admitted method", $"{why}\nwhile running method {last} of {dll}; serial log {Path.Combine(dir, "serial.log")}\n{Tail(serial)}", batch[last].Program));
            return new Once(last, 0, failures, last);
        }
        failures.Add((batch[0].Index, "fault running the batch", $"{why}; serial log {Path.Combine(dir, "serial.log")}\n{Tail(serial)}", null));
        return new Once(0, 0, failures, -1);
    }

    private static string Tail(string s) => s.Length > 3000 ? "..." + s[^3000..] : s;

    private static (int Exit, string Output) Exec(string file, string[] args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi);
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout)) { try { p.Kill(true); } catch (InvalidOperationException) { } return (-1, $"{file} did not finish in {timeout}"); }
        p.WaitForExit();
        return (p.ExitCode, o.Result + e.Result);
    }
}
