namespace Singularity.FaultCampaign.Mutation;

/// <summary>
/// The fault types injected, after the software-implemented fault injection literature (the
/// MINIX 3 and Rio campaigns): each is a bug a programmer makes, expressed as one IL edit.
/// </summary>
public enum FaultType
{
    /// <summary>A conditional branch taken on the opposite condition (<c>brtrue</c> ↔ <c>brfalse</c>, <c>blt</c> ↔ <c>bge</c>).</summary>
    BranchFlip,
    /// <summary>An integer constant one too high or too low, or a bound compared with &lt; instead of &lt;=.</summary>
    OffByOne,
    /// <summary>A call left out (its arguments dropped; a result becomes null or 0).</summary>
    CallDeleted,
    /// <summary>A store to a field, array element, static or local left out.</summary>
    StoreDeleted,
    /// <summary>Two adjacent arguments of the same type passed in swapped order.</summary>
    ArgumentsSwapped,
    /// <summary>A loaded value replaced by null, 0 or -1.</summary>
    ValueReplaced,
    /// <summary>A loop whose exit condition never holds.</summary>
    EndlessLoop,
    /// <summary>An exception thrown where a call was made.</summary>
    ThrownException,
    /// <summary>A channel used against its protocol: a send made twice, a receive or take left out, a block freed early.</summary>
    ChannelMisuse,
}

public static class FaultTypes
{
    /// <summary>The name used on the command line and in reports.</summary>
    public static string Name(this FaultType t) => t switch
    {
        FaultType.BranchFlip => "branch-flip",
        FaultType.OffByOne => "off-by-one",
        FaultType.CallDeleted => "call-deleted",
        FaultType.StoreDeleted => "store-deleted",
        FaultType.ArgumentsSwapped => "arguments-swapped",
        FaultType.ValueReplaced => "value-replaced",
        FaultType.EndlessLoop => "endless-loop",
        FaultType.ThrownException => "thrown-exception",
        FaultType.ChannelMisuse => "channel-misuse",
        _ => t.ToString(),
    };

    public static bool TryParse(string name, out FaultType type)
    {
        foreach (FaultType t in Enum.GetValues<FaultType>())
            if (string.Equals(t.Name(), name, StringComparison.OrdinalIgnoreCase)) { type = t; return true; }
        type = default;
        return false;
    }
}
