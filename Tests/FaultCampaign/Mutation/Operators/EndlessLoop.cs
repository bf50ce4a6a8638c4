using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.FaultCampaign.Mutation.Operators;

/// <summary>A loop whose backward conditional branch is always taken: the loop never exits through it.</summary>
public sealed class EndlessLoop : IFaultOperator
{
    public FaultType Type => FaultType.EndlessLoop;

    public IEnumerable<MutationSite> Find(MethodDefinition method)
    {
        var code = method.Body.Instructions;
        for (int k = 0; k < code.Count; k++)
        {
            if (!IlEdit.IsConditionalBranch(code[k]) || code[k].Operand is not Instruction target) continue;
            if (code.IndexOf(target) > k) continue;
            yield return new MutationSite(k, 0, $"loop back-edge {code[k].OpCode.Name} always taken");
        }
    }

    public void Apply(MethodDefinition method, MutationSite site)
    {
        var i = method.Body.Instructions[site.Index];
        var target = (Instruction)i.Operand;
        IlEdit.ReplaceWithPops(method.Body, i, IlEdit.BranchPops(i), Instruction.Create(OpCodes.Br, target));
    }
}
