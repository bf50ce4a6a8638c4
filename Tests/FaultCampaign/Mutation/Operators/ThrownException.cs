using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.FaultCampaign.Mutation.Operators;

/// <summary>
/// An exception thrown where a call was made (the call fails): <c>throw new System.Exception()</c>
/// from the module's own core library in place of the call.
/// </summary>
public sealed class ThrownException : IFaultOperator
{
    public FaultType Type => FaultType.ThrownException;

    public IEnumerable<MutationSite> Find(MethodDefinition method)
    {
        var code = method.Body.Instructions;
        for (int k = 0; k < code.Count; k++)
            if (IlEdit.IsCall(code[k]) && code[k].Operand is MethodReference callee && callee.Name != ".ctor")
                yield return new MutationSite(k, 0, $"call {IlEdit.Short(callee)} throws");
    }

    public void Apply(MethodDefinition method, MutationSite site)
    {
        var module = method.Module;
        var exception = new TypeReference("System", "Exception", module, module.TypeSystem.CoreLibrary);
        var ctor = new MethodReference(".ctor", module.TypeSystem.Void, exception) { HasThis = true };
        var i = method.Body.Instructions[site.Index];
        IlEdit.ReplaceWith(method.Body, i, new[] { Instruction.Create(OpCodes.Newobj, ctor), Instruction.Create(OpCodes.Throw) });
    }
}
