using System.Diagnostics;
using System.Globalization;
using System.Text;
using Singularity.FaultCampaign.Mutation;

namespace Singularity.FaultCampaign.Trials;

/// <summary>
/// The campaign's report under its output folder: trials.tsv (one line per trial, with the kept
/// log of isolation failures and data losses), report.md (outcomes per fault type, the contained
/// and recovered shares, every isolation failure with its replay command) and outcomes.svg (and
/// outcomes.png when rsvg-convert is installed): one bar per fault type, split by outcome.
/// </summary>
public static class CampaignReport
{
    private static readonly TrialOutcome[] Order = Enum.GetValues<TrialOutcome>();
    private static readonly string[] Colours = { "#9e9e9e", "#4caf50", "#2196f3", "#ffc107", "#ff5722", "#b71c1c" };

    public static string Write(CampaignResult r, CampaignSettings s)
    {
        var byId = r.Mutants.ToDictionary(m => m.Id);
        using (var tsv = new StreamWriter(Path.Combine(r.OutDir, "trials.tsv")))
        {
            tsv.WriteLine("trial\tmutant\ttype\toutcome\tok\twrong\trebinds\tgaveup\ttarget_failures\treason\tlog\tmutant_description");
            foreach (var t in r.Trials)
            {
                var m = byId[t.Mutant];
                tsv.WriteLine($"{t.Number}\t{t.Mutant}\t{m.Type.Name()}\t{t.Outcome.Name()}\t{t.Ok}\t{t.Wrong}\t{t.Rebinds}\t{(t.GaveUp ? 1 : 0)}\t{t.TargetFailures}\t{Clean(t.Reason)}\t{t.Log}\t{Clean(m.ToString())}");
            }
        }
        var md = new StringBuilder();
        md.AppendLine($"# Fault-injection campaign: {s.Workload.Name} on {s.Workload.Target}");
        md.AppendLine();
        md.AppendLine($"{r.Trials.Count} trials, seed {s.Seed}, {r.Mutants.Count} distinct mutants, {r.References.Count} reference trials (no mutant); "
            + (s.Workload.FaultsArePersistent ? "persistent faults (nothing restarts the target without its mutant)."
               : s.Persistent ? "persistent faults (every restart runs the mutant again)." : "transient faults (the supervisor restarts the target without the mutant, as a fresh image)."));
        md.AppendLine();
        md.AppendLine("| fault type | trials | " + string.Join(" | ", Order.Select(o => o.Name())) + " |");
        md.AppendLine("| --- | ---: | " + string.Join(" | ", Order.Select(_ => "---:")) + " |");
        foreach (var g in r.Trials.GroupBy(t => byId[t.Mutant].Type).OrderBy(g => g.Key))
            md.AppendLine($"| {g.Key.Name()} | {g.Count()} | " + string.Join(" | ", Order.Select(o => g.Count(t => t.Outcome == o).ToString(CultureInfo.InvariantCulture))) + " |");
        md.AppendLine($"| all | {r.Trials.Count} | " + string.Join(" | ", Order.Select(o => r.Trials.Count(t => t.Outcome == o).ToString(CultureInfo.InvariantCulture))) + " |");
        md.AppendLine();
        // Per assembly: the SIP's own code, and each SIP library whose reached code was mutated.
        md.AppendLine("| where the fault is | trials | " + string.Join(" | ", Order.Select(o => o.Name())) + " |");
        md.AppendLine("| --- | ---: | " + string.Join(" | ", Order.Select(_ => "---:")) + " |");
        foreach (var g in r.Trials.GroupBy(t => byId[t.Mutant].Library ?? s.Workload.TargetAssembly).OrderBy(g => g.Key != s.Workload.TargetAssembly).ThenBy(g => g.Key, StringComparer.Ordinal))
            md.AppendLine($"| {g.Key} | {g.Count()} | " + string.Join(" | ", Order.Select(o => g.Count(t => t.Outcome == o).ToString(CultureInfo.InvariantCulture))) + " |");
        md.AppendLine();
        var s1 = Summary(r);
        md.AppendLine(s1);
        md.AppendLine();
        var badRefs = r.References.Where(t => t.Outcome != TrialOutcome.NoEffect).ToList();
        if (badRefs.Count > 0)
        {
            md.AppendLine($"**{badRefs.Count} reference trials (no mutant) did not come out as no effect**: the workload or the system is broken, and these figures cannot be trusted:");
            foreach (var t in badRefs) md.AppendLine($"- {t.Outcome.Name()}: {t.Reason}");
            md.AppendLine();
        }
        var isolation = r.Trials.Where(t => t.Outcome == TrialOutcome.IsolationFailure).ToList();
        if (isolation.Count > 0)
        {
            md.AppendLine("## Isolation failures");
            md.AppendLine();
            foreach (var t in isolation.DistinctBy(t => t.Mutant))
                md.AppendLine($"- mutant {t.Mutant} ({byId[t.Mutant]}): {t.Reason}. Log: `{t.Log}`. Replay: `./sing campaign {s.Workload.CommandLine}{(s.Libraries ? "" : " --no-libraries")} --replay {t.Mutant}`");
            md.AppendLine();
        }
        File.WriteAllText(Path.Combine(r.OutDir, "report.md"), md.ToString());
        WritePlot(r, byId);
        return s1;
    }

    /// <summary>The headline: contained share, and of the faults that manifested, the recovered share.</summary>
    public static string Summary(CampaignResult r)
    {
        int ran = r.Trials.Count(t => t.Outcome != TrialOutcome.StoppedAtInstall);
        int contained = r.Trials.Count(t => t.Outcome.Contained());
        int manifested = r.Trials.Count(t => t.Outcome is not (TrialOutcome.StoppedAtInstall or TrialOutcome.NoEffect));
        int recovered = r.Trials.Count(t => t.Outcome == TrialOutcome.Recovered);
        string Pct(int a, int b) => b == 0 ? "-" : (100.0 * a / b).ToString("0.0", CultureInfo.InvariantCulture) + "%";
        return $"contained: {contained} of {r.Trials.Count} trials ({Pct(contained, r.Trials.Count)}); ran: {ran}; " +
               $"manifested: {manifested}, of which recovered {recovered} ({Pct(recovered, manifested)}); " +
               $"isolation failures: {r.Trials.Count(t => t.Outcome == TrialOutcome.IsolationFailure)}";
    }

    private static string Clean(string s) => (s ?? "").Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');

    private static void WritePlot(CampaignResult r, Dictionary<int, Mutant> byId)
    {
        var groups = r.Trials.GroupBy(t => byId[t.Mutant].Type).OrderBy(g => g.Key).Select(g => (Name: g.Key.Name(), Trials: g.ToList()))
            .Append((Name: "all", Trials: r.Trials.ToList())).ToList();
        const int left = 150, barH = 22, gap = 8, width = 520, top = 30;
        int height = top + groups.Count * (barH + gap) + 30 + 20 * ((Order.Length + 2) / 3);
        var svg = new StringBuilder();
        svg.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{left + width + 20}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine($"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        svg.AppendLine($"<text x=\"10\" y=\"18\" font-size=\"14\">Trial outcomes per fault type (share of trials)</text>");
        for (int g = 0; g < groups.Count; g++)
        {
            int y = top + g * (barH + gap);
            svg.AppendLine($"<text x=\"10\" y=\"{y + 15}\">{groups[g].Name} ({groups[g].Trials.Count})</text>");
            double x = left;
            for (int o = 0; o < Order.Length; o++)
            {
                int n = groups[g].Trials.Count(t => t.Outcome == Order[o]);
                if (n == 0) continue;
                double w = width * (double)n / groups[g].Trials.Count;
                svg.AppendLine(string.Create(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.#}\" y=\"{y}\" width=\"{w:0.#}\" height=\"{barH}\" fill=\"{Colours[o]}\"><title>{Order[o].Name()}: {n}</title></rect>"));
                x += w;
            }
        }
        int ly = top + groups.Count * (barH + gap) + 15;
        for (int o = 0; o < Order.Length; o++)
        {
            int lx = 10 + (o % 3) * 220, yy = ly + (o / 3) * 20;
            svg.AppendLine($"<rect x=\"{lx}\" y=\"{yy - 10}\" width=\"12\" height=\"12\" fill=\"{Colours[o]}\"/><text x=\"{lx + 18}\" y=\"{yy}\">{Order[o].Name()}</text>");
        }
        svg.AppendLine("</svg>");
        string svgPath = Path.Combine(r.OutDir, "outcomes.svg");
        File.WriteAllText(svgPath, svg.ToString());
        try
        {
            var psi = new ProcessStartInfo("rsvg-convert", $"-o \"{Path.Combine(r.OutDir, "outcomes.png")}\" \"{svgPath}\"") { UseShellExecute = false, RedirectStandardError = true };
            using var p = Process.Start(psi);
            p?.WaitForExit(30000);
        }
        catch (System.ComponentModel.Win32Exception) { /* no rsvg-convert: the SVG is the plot */ }
    }
}
