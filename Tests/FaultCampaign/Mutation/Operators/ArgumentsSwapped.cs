using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.FaultCampaign.Mutation.Operators;

/// <summary>
/// Two adjacent arguments of the same type passed in swapped order, where each is pushed by one
/// instruction that takes nothing from the stack (a local, an argument, a constant), so swapping
/// the two instructions swaps the arguments.
/// </summary>
public sealed class ArgumentsSwapped : IFaultOperator
{
    public FaultType Type => FaultType.ArgumentsSwapped;

    public IEnumerable<MutationSite> Find(MethodDefinition method)
    {
        var code = method.Body.Instructions;
        for (int k = 0; k < code.Count; k++)
        {
            if (!IlEdit.IsCall(code[k]) && code[k].OpCode.Code != Code.Newobj) continue;
            if (code[k].Operand is not MethodReference callee) continue;
            var ps = callee.Parameters;
            for (int a = 0; a + 1 < ps.Count; a++)
            {
                if (ps[a].ParameterType.FullName != ps[a + 1].ParameterType.FullName) continue;
                if (ps[a].ParameterType.IsByReference) continue;
                // Parameter a+1 is pushed (ps.Count - 1 - (a+1)) + 1 instructions before the call when
                // every later argument is one simple push.
                int second = k - (ps.Count - (a + 1));
                int first = second - 1;
                if (first < 0) continue;
                bool simple = true;
                for (int j = first; j < k && simple; j++)
                    simple = IlEdit.IsSimplePush(code[j]) && (j == first || !IlEdit.IsTarget(method.Body, code[j]));
                if (!simple) continue;
                if (SameOperand(code[first], code[second])) continue;
                yield return new MutationSite(k, a, $"arguments {a} and {a + 1} of {IlEdit.Short(callee)} swapped");
            }
        }
    }

    private static bool SameOperand(Instruction x, Instruction y) => x.OpCode == y.OpCode && Equals(x.Operand, y.Operand);

    public void Apply(MethodDefinition method, MutationSite site)
    {
        var code = method.Body.Instructions;
        var callee = (MethodReference)code[site.Index].Operand;
        int second = site.Index - (callee.Parameters.Count - (site.Variant + 1));
        var x = code[second - 1];
        var y = code[second];
        (x.OpCode, x.Operand, y.OpCode, y.Operand) = (y.OpCode, y.Operand, x.OpCode, x.Operand);
    }
}
