namespace Singularity.FaultCampaign.Mutation;

/// <summary>
/// One injected fault: which operator, in which method (its full name, stable across reads), at
/// which instruction (index in the method's body, and its IL offset for people), and which of the
/// operator's variants. Ids start at 1 in catalog order (0 means "no mutant active").
/// </summary>
public sealed record Mutant(int Id, FaultType Type, string Method, int Index, int Offset, int Variant, string Description)
{
    /// <summary>The file name of the SIP library the method is in; null when it is in the SIP's own assembly.</summary>
    public string Library { get; init; }

    public override string ToString() => $"#{Id} {Type.Name()} {Description} in {Method} at IL_{Offset:x4}" + (Library != null ? $" ({Library})" : "");
}

/// <summary>A place one operator can mutate in a method: the instruction index, a variant and what the edit does.</summary>
public readonly record struct MutationSite(int Index, int Variant, string Description);
