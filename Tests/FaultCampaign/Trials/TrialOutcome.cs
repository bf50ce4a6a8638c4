namespace Singularity.FaultCampaign.Trials;

/// <summary>How a trial ended, in the order the report lists them (after the MINIX 3 and Theseus campaigns).</summary>
public enum TrialOutcome
{
    /// <summary>The verifier refused the mutant: it never ran.</summary>
    StoppedAtInstall,
    /// <summary>The mutant ran and the workload saw nothing wrong (the fault did not manifest).</summary>
    NoEffect,
    /// <summary>The target failed, the supervisor restarted it and the workload completed with correct data.</summary>
    Recovered,
    /// <summary>The target stayed broken (the workload gave up) but nothing else was harmed.</summary>
    ContainedNotRecovered,
    /// <summary>The workload saw wrong or missing data.</summary>
    DataLost,
    /// <summary>A kernel panic or hang, another SIP harmed, or memory or exchange blocks not reclaimed.</summary>
    IsolationFailure,
}

public static class TrialOutcomes
{
    public static string Name(this TrialOutcome o) => o switch
    {
        TrialOutcome.StoppedAtInstall => "stopped at install",
        TrialOutcome.NoEffect => "no effect",
        TrialOutcome.Recovered => "failed and recovered",
        TrialOutcome.ContainedNotRecovered => "contained, not recovered",
        TrialOutcome.DataLost => "data lost",
        TrialOutcome.IsolationFailure => "isolation failure",
        _ => o.ToString(),
    };

    /// <summary>Whether the fault stayed inside the target (everything but an isolation failure).</summary>
    public static bool Contained(this TrialOutcome o) => o != TrialOutcome.IsolationFailure;
}
