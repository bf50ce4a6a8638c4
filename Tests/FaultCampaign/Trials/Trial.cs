namespace Singularity.FaultCampaign.Trials;

/// <summary>
/// One trial: a mutant (0 for the fault-free reference), how it was classified and why, the
/// workload's verdict numbers, and the batch log that holds it (kept for isolation failures).
/// </summary>
public sealed record Trial(int Number, int Mutant)
{
    public TrialOutcome Outcome { get; init; }
    public string Reason { get; init; } = "";
    public int Ok { get; init; }
    public int Wrong { get; init; }
    public int Rebinds { get; init; }
    public bool GaveUp { get; init; }
    public int TargetFailures { get; init; }
    public string Log { get; init; }
}
