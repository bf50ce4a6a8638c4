using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.FaultCampaign.Mutation.Operators;

/// <summary>A store left out: the value (and its address or object) is dropped instead.</summary>
public sealed class StoreDeleted : IFaultOperator
{
    public FaultType Type => FaultType.StoreDeleted;

    private static int Pops(Code c) => c switch
    {
        Code.Stloc or Code.Stloc_S or Code.Stloc_0 or Code.Stloc_1 or Code.Stloc_2 or Code.Stloc_3 or Code.Stsfld or Code.Starg or Code.Starg_S => 1,
        Code.Stfld or Code.Stobj or Code.Stind_I or Code.Stind_I1 or Code.Stind_I2 or Code.Stind_I4 or Code.Stind_I8
            or Code.Stind_R4 or Code.Stind_R8 or Code.Stind_Ref => 2,
        Code.Stelem_Any or Code.Stelem_I or Code.Stelem_I1 or Code.Stelem_I2 or Code.Stelem_I4 or Code.Stelem_I8
            or Code.Stelem_R4 or Code.Stelem_R8 or Code.Stelem_Ref => 3,
        _ => 0,
    };

    public IEnumerable<MutationSite> Find(MethodDefinition method)
    {
        var code = method.Body.Instructions;
        for (int k = 0; k < code.Count; k++)
        {
            var i = code[k];
            if (Pops(i.OpCode.Code) == 0) continue;
            string what = i.Operand switch
            {
                FieldReference f => f.Name,
                VariableDefinition v => "V_" + v.Index,
                ParameterDefinition p => p.Name,
                _ => "",
            };
            yield return new MutationSite(k, 0, $"{i.OpCode.Name} {what} deleted".Replace("  ", " "));
        }
    }

    public void Apply(MethodDefinition method, MutationSite site)
    {
        var i = method.Body.Instructions[site.Index];
        IlEdit.ReplaceWithPops(method.Body, i, Pops(i.OpCode.Code));
    }
}
