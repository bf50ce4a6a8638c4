using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.FaultCampaign.Mutation.Operators;

/// <summary>
/// An integer constant one too high (variant 0) or too low (variant 1), or a bound compared with
/// the strict/non-strict relation swapped (variant 2: <c>blt</c> ↔ <c>ble</c>, <c>bgt</c> ↔ <c>bge</c>).
/// </summary>
public sealed class OffByOne : IFaultOperator
{
    public FaultType Type => FaultType.OffByOne;

    private static readonly Dictionary<Code, OpCode> s_bound = new()
    {
        [Code.Blt] = OpCodes.Ble, [Code.Ble] = OpCodes.Blt, [Code.Bgt] = OpCodes.Bge, [Code.Bge] = OpCodes.Bgt,
        [Code.Blt_Un] = OpCodes.Ble_Un, [Code.Ble_Un] = OpCodes.Blt_Un, [Code.Bgt_Un] = OpCodes.Bge_Un, [Code.Bge_Un] = OpCodes.Bgt_Un,
    };

    public IEnumerable<MutationSite> Find(MethodDefinition method)
    {
        var code = method.Body.Instructions;
        for (int k = 0; k < code.Count; k++)
        {
            var i = code[k];
            if (i.OpCode.Code == Code.Ldc_I4 && i.Operand is int v)
            {
                if (v != int.MaxValue) yield return new MutationSite(k, 0, $"constant {v} -> {v + 1}");
                if (v != int.MinValue) yield return new MutationSite(k, 1, $"constant {v} -> {v - 1}");
            }
            else if (s_bound.TryGetValue(i.OpCode.Code, out var to))
                yield return new MutationSite(k, 2, $"bound {i.OpCode.Name} -> {to.Name}");
        }
    }

    public void Apply(MethodDefinition method, MutationSite site)
    {
        var i = method.Body.Instructions[site.Index];
        switch (site.Variant)
        {
            case 0: i.Operand = (int)i.Operand + 1; break;
            case 1: i.Operand = (int)i.Operand - 1; break;
            default: i.OpCode = s_bound[i.OpCode.Code]; break;
        }
    }
}
