using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.FaultCampaign.Mutation;

/// <summary>
/// A copy of a method under another name in the same type: same signature, parameter and return
/// attributes (the verifier reads [Claims], [State] and the like from them), locals, instructions
/// and exception handlers. The copy is private and not virtual; its body has the original's
/// instruction indices, so a mutation site found in the original applies to it. The copy is added
/// to the original's type (an instance method's `this` takes its type from there).
/// </summary>
public static class MethodCloner
{
    public static MethodDefinition Clone(MethodDefinition m, string name)
    {
        const MethodAttributes dropped = MethodAttributes.Virtual | MethodAttributes.Abstract | MethodAttributes.NewSlot
            | MethodAttributes.Final | MethodAttributes.SpecialName | MethodAttributes.RTSpecialName | MethodAttributes.MemberAccessMask;
        var c = new MethodDefinition(name, (m.Attributes & ~dropped) | MethodAttributes.Private | MethodAttributes.HideBySig, m.ReturnType)
        {
            HasThis = m.HasThis,
            ExplicitThis = m.ExplicitThis,
            CallingConvention = m.CallingConvention,
            ImplAttributes = m.ImplAttributes,
        };
        m.DeclaringType.Methods.Add(c);
        foreach (var a in m.CustomAttributes) c.CustomAttributes.Add(Copy(a));
        foreach (var a in m.MethodReturnType.CustomAttributes) c.MethodReturnType.CustomAttributes.Add(Copy(a));
        var parameters = new Dictionary<ParameterDefinition, ParameterDefinition>();
        foreach (var p in m.Parameters)
        {
            var q = new ParameterDefinition(p.Name, p.Attributes, p.ParameterType);
            if (p.HasConstant) q.Constant = p.Constant;
            foreach (var a in p.CustomAttributes) q.CustomAttributes.Add(Copy(a));
            c.Parameters.Add(q);
            parameters[p] = q;
        }
        if (m.HasThis) parameters[m.Body.ThisParameter] = c.Body.ThisParameter;

        var body = c.Body;
        body.InitLocals = m.Body.InitLocals;
        body.MaxStackSize = m.Body.MaxStackSize;
        var locals = new Dictionary<VariableDefinition, VariableDefinition>();
        foreach (var v in m.Body.Variables)
        {
            var w = new VariableDefinition(v.VariableType);
            body.Variables.Add(w);
            locals[v] = w;
        }
        var map = new Dictionary<Instruction, Instruction>();
        foreach (var i in m.Body.Instructions)
        {
            var j = Instruction.Create(OpCodes.Nop);
            j.OpCode = i.OpCode;
            map[i] = j;
            body.Instructions.Add(j);
        }
        foreach (var i in m.Body.Instructions)
        {
            map[i].Operand = i.Operand switch
            {
                Instruction t => map[t],
                Instruction[] ts => ts.Select(t => map[t]).ToArray(),
                VariableDefinition v => locals[v],
                ParameterDefinition p => parameters[p],
                _ => i.Operand,
            };
        }
        foreach (var h in m.Body.ExceptionHandlers)
        {
            body.ExceptionHandlers.Add(new ExceptionHandler(h.HandlerType)
            {
                TryStart = Map(map, h.TryStart), TryEnd = Map(map, h.TryEnd),
                HandlerStart = Map(map, h.HandlerStart), HandlerEnd = Map(map, h.HandlerEnd),
                FilterStart = Map(map, h.FilterStart), CatchType = h.CatchType,
            });
        }
        return c;
    }

    private static Instruction Map(Dictionary<Instruction, Instruction> map, Instruction i) => i == null ? null : map[i];

    private static CustomAttribute Copy(CustomAttribute a)
    {
        var c = new CustomAttribute(a.Constructor);
        foreach (var x in a.ConstructorArguments) c.ConstructorArguments.Add(x);
        foreach (var x in a.Fields) c.Fields.Add(x);
        foreach (var x in a.Properties) c.Properties.Add(x);
        return c;
    }
}
