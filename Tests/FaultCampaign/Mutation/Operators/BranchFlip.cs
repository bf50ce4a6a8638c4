using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.FaultCampaign.Mutation.Operators;

/// <summary>A conditional branch taken on the negated condition.</summary>
public sealed class BranchFlip : IFaultOperator
{
    public FaultType Type => FaultType.BranchFlip;

    private static readonly Dictionary<Code, OpCode> s_negated = new()
    {
        [Code.Brtrue] = OpCodes.Brfalse, [Code.Brfalse] = OpCodes.Brtrue,
        [Code.Beq] = OpCodes.Bne_Un, [Code.Bne_Un] = OpCodes.Beq,
        [Code.Blt] = OpCodes.Bge, [Code.Bge] = OpCodes.Blt,
        [Code.Bgt] = OpCodes.Ble, [Code.Ble] = OpCodes.Bgt,
        [Code.Blt_Un] = OpCodes.Bge_Un, [Code.Bge_Un] = OpCodes.Blt_Un,
        [Code.Bgt_Un] = OpCodes.Ble_Un, [Code.Ble_Un] = OpCodes.Bgt_Un,
    };

    public IEnumerable<MutationSite> Find(MethodDefinition method)
    {
        var code = method.Body.Instructions;
        for (int k = 0; k < code.Count; k++)
            if (s_negated.TryGetValue(code[k].OpCode.Code, out var to))
                yield return new MutationSite(k, 0, $"{code[k].OpCode.Name} -> {to.Name}");
    }

    public void Apply(MethodDefinition method, MutationSite site)
    {
        var i = method.Body.Instructions[site.Index];
        i.OpCode = s_negated[i.OpCode.Code];
    }
}
