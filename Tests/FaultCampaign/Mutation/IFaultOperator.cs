using Mono.Cecil;

namespace Singularity.FaultCampaign.Mutation;

/// <summary>
/// A fault type as an IL edit. <see cref="Find"/> lists the sites of one method; <see cref="Apply"/>
/// edits a method whose body has the same instructions (the original in a fresh read, or its
/// clone in a schema). Both see bodies with macros expanded (long branch forms, <c>ldc.i4 k</c>,
/// <c>ldarg p</c>), so instruction indices stay the same across the two.
/// </summary>
public interface IFaultOperator
{
    FaultType Type { get; }

    IEnumerable<MutationSite> Find(MethodDefinition method);

    void Apply(MethodDefinition method, MutationSite site);
}
