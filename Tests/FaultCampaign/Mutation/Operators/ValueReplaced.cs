using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.FaultCampaign.Mutation.Operators;

/// <summary>
/// A loaded value (a local, an argument, a field, a call's result) replaced by null (references),
/// 0 (variant 0) or -1 (variant 1) (integers): the uninitialised or wrong value of the literature.
/// </summary>
public sealed class ValueReplaced : IFaultOperator
{
    public FaultType Type => FaultType.ValueReplaced;

    public IEnumerable<MutationSite> Find(MethodDefinition method)
    {
        var code = method.Body.Instructions;
        for (int k = 0; k < code.Count; k++)
        {
            var type = IlEdit.LoadedType(method, code[k]);
            if (type == null) continue;
            var zero = IlEdit.Default(type);
            if (zero == null) continue;
            string what = zero.OpCode.Code == Code.Ldnull ? "null" : "0";
            yield return new MutationSite(k, 0, $"value of {code[k].OpCode.Name} {Name(code[k])} -> {what}");
            if (type.MetadataType != MetadataType.Boolean && IlEdit.Default(type, minusOne: true) != null)
                yield return new MutationSite(k, 1, $"value of {code[k].OpCode.Name} {Name(code[k])} -> -1");
        }
    }

    private static string Name(Instruction i) => i.Operand switch
    {
        FieldReference f => f.Name,
        MethodReference m => IlEdit.Short(m),
        VariableDefinition v => "V_" + v.Index,
        ParameterDefinition p => p.Name,
        _ => "",
    };

    public void Apply(MethodDefinition method, MutationSite site)
    {
        var i = method.Body.Instructions[site.Index];
        var type = IlEdit.LoadedType(method, i);
        IlEdit.InsertAfter(method.Body, i, new[] { Instruction.Create(OpCodes.Pop), IlEdit.Default(type, site.Variant == 1) });
    }
}
