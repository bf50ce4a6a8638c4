using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.FaultCampaign.Mutation.Operators;

/// <summary>
/// A call left out: its arguments are dropped and a result, if any, becomes null or 0. Calls that
/// receive from a channel are <see cref="ChannelMisuse"/>'s (a skipped receive), not this one's.
/// </summary>
public sealed class CallDeleted : IFaultOperator
{
    public FaultType Type => FaultType.CallDeleted;

    public IEnumerable<MutationSite> Find(MethodDefinition method)
    {
        var code = method.Body.Instructions;
        for (int k = 0; k < code.Count; k++)
        {
            if (!IlEdit.IsCall(code[k]) || code[k].Operand is not MethodReference callee) continue;
            if (ChannelMisuse.IsReceive(callee)) continue;
            if (!CanDelete(callee)) continue;
            yield return new MutationSite(k, 0, $"call {IlEdit.Short(callee)} deleted");
        }
    }

    internal static bool CanDelete(MethodReference callee) =>
        callee.Name != ".ctor" && (callee.ReturnType.MetadataType == MetadataType.Void || IlEdit.Default(callee.ReturnType) != null);

    public void Apply(MethodDefinition method, MutationSite site) => Delete(method, site.Index);

    internal static void Delete(MethodDefinition method, int index)
    {
        var i = method.Body.Instructions[index];
        var callee = (MethodReference)i.Operand;
        var result = callee.ReturnType.MetadataType == MetadataType.Void ? null : IlEdit.Default(callee.ReturnType);
        IlEdit.ReplaceWithPops(method.Body, i, IlEdit.CallPops(callee), result);
    }
}
